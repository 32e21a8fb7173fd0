/**
 * Test-only workflow interceptors, bundled into replay.test.ts's workflow bundle: every activity the
 * workflow schedules, remote or local, is reported to the `replayed` sink with its input, so a
 * replay can compare what a case writes (persistCase's or recordStep's snapshot, events and
 * notices), not only which commands it issues.
 */
import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface ReplaySinks extends Sinks {
  replayed: { activityScheduled(activityType: string, args: unknown[]): void };
}

const { replayed } = proxySinks<ReplaySinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      // Sink calls are delivered after the activation, when the workflow may have changed these
      // objects; a JSON copy is also exactly what the default payload converter records.
      scheduleActivity(input, next) {
        replayed.activityScheduled(input.activityType, JSON.parse(JSON.stringify(input.args)));
        return next(input);
      },
      scheduleLocalActivity(input, next) {
        replayed.activityScheduled(input.activityType, JSON.parse(JSON.stringify(input.args)));
        return next(input);
      },
    },
  ],
});
