/**
 * The calendar words every concern shares: how often a task runs and on which
 * days. They live with the schedule engine, the lowest layer, so that config,
 * tasks and reminders can all name them without importing each other.
 */
export const CADENCES = ["daily", "weekly", "monthly", "quarterly"] as const;
export type Cadence = (typeof CADENCES)[number];

/** The months a quarterly task runs in, as a cron month field: each quarter's first. */
export const QUARTER_MONTHS = "1,4,7,10";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
