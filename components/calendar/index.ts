/**
 * When things happen, for people: the calendar entries of every task and reminder, the .ics
 * and Markdown renderings, and the runbook pages.
 */
export {
  buildCalendar,
  buildExternalCalendar,
  buildRoutineCalendar,
  type CalendarEntry,
  type DatedCalendarEntry,
  type ExternalScheduleEntry,
  renderCalendarMarkdown,
  type RoutineDelivery,
  type RoutineRow,
  withNextRuns,
} from "./entries";
export { renderIcs } from "./ics";
export { renderWeekSvg, type WeekSvgInputs } from "./weekSvg";
export { renderRoutineRunbook, renderTaskRunbook, runbookPage, runbookPath } from "./runbooks";
export { reportParagraph, type RunbookReport } from "./reportRunbook";
export { runbookFacts, taskCommands } from "./runbookFacts";
