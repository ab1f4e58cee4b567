/** Every conversation the engine runs. */
import type { Flow } from '../core/engine/flow.js';
import { menuFlow } from './menu.js';
import { onboardingFlow } from './onboarding.js';
import { settingsFlow } from './settings.js';

export const allFlows: Flow[] = [onboardingFlow, menuFlow, settingsFlow];
