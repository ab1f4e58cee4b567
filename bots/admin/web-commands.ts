/** Web console commands of the admin CLI: a sign-in link for the first operator. */
import { NotStaffError } from '../../core/web-access/web-sign-in.js';
import { UsageError, type Command } from './command.js';

export const webCommands: Record<string, Command> = {
  'web-login': {
    usage: 'web-login <member id | channel:user id>',
    summary: 'print a one-time sign-in link to the web console for a secretariat or admin member (valid 10 minutes, once; audited)',
    async run({ args, app }) {
      const [who, ...extra] = args;
      if (!who || extra.length) throw new UsageError(who ? 'web-login takes exactly one member' : 'web-login needs the member to sign in');
      const a = await app();
      const identity = who.includes(':') ? await a.services.members.identity(who) : null;
      const member = await a.services.members.get(identity?.memberId ?? who);
      if (!member || member.status !== 'active') {
        console.error(`no active member "${who}": give a member id or <channel>:<platform user id> of someone who has joined`);
        return 1;
      }
      try {
        const { url, minutes } = await a.services.webSignIn.issueLink(member, { at: new Date(), via: 'cli', actor: 'admin-cli' });
        console.log(url);
        console.error(`a one-time link for ${member._id}: open it within ${minutes} minutes; it works once`);
        return 0;
      } catch (err) {
        if (!(err instanceof NotStaffError)) throw err;
        console.error(err.message);
        return 1;
      }
    },
  },
};
