/**
 * The one script of the import page, and only an enhancement: where scripts run, it shows a file
 * chooser (kept in a `<template>` until then) and puts the chosen file's text into the text box (the form still sends the box, as a
 * plain form; without script the person pastes). Served from our own path, as CSP asks
 * (security-headers.ts lets scripts from 'self' run on the import page only).
 */
import type { FastifyInstance } from 'fastify';

export const IMPORT_FILE_SCRIPT_PATH = '/web/assets/people-import-file.js';

/** Plain ES5 for any browser; no data leaves the page except through the form the person sends. */
const SCRIPT = `(function () {
  // Kept in a <template> until now: without script it is never shown.
  var template = document.getElementById('file-picker');
  if (!template || !template.content || !window.FileReader) return;
  template.parentNode.insertBefore(template.content.cloneNode(true), template);
  var input = document.getElementById('f-file');
  if (!input) return;
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    var box = document.getElementById(input.getAttribute('data-target'));
    if (!file || !box) return;
    var reader = new FileReader();
    reader.onload = function () { box.value = String(reader.result || ''); };
    reader.readAsText(file, 'utf-8');
  });
})();
`;

export function registerImportFileScript(web: FastifyInstance): void {
  web.get('/assets/people-import-file.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));
}
