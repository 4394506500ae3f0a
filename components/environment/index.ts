/**
 * One environment, whole: load and cross-check its config, plan its tasks, create its
 * providers and assemble its calendar. The top of the tree; nothing else in components/ imports it.
 */
export { environmentCalendar } from "./calendar";
export { loadEnvironment } from "./load";
export { createProviders } from "./providers";
export { planWarnings } from "./warnings";
