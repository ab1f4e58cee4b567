/** Every conversation the engine runs. */
import type { Flow } from '../core/engine/flow.js';
import { cadreFlow } from './cadre.js';
import { concernFlow } from './concern.js';
import { materialsFlow } from './materials.js';
import { meetingsFlow } from './meetings.js';
import { menuFlow } from './menu.js';
import { secretariatFlow } from './secretariat.js';
import { onboardingFlow } from './onboarding.js';
import { settingsFlow } from './settings.js';
import { surveyResultsFlow } from './survey-results.js';
import { surveyFlow } from './survey.js';
import { webLoginFlow } from './web-login.js';

export const allFlows: Flow[] = [onboardingFlow, menuFlow, settingsFlow, surveyFlow, surveyResultsFlow, concernFlow, cadreFlow, materialsFlow, secretariatFlow, webLoginFlow, meetingsFlow];
