/**
 * The calendar words every concern shares: how often a task runs and on which
 * days. They live with the schedule engine, the lowest layer, so that config,
 * tasks and reminders can all name them without importing each other.
 */
export const CADENCES = ["daily", "weekly", "monthly", "quarterly"] as const;
export type Cadence = (typeof CADENCES)[number];

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
