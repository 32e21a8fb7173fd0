/**
 * The floor: the Temporal steps of a case and nothing else. Each Update waits for one activity
 * that writes one row; a 1 s timer stands for the follow-up delay, and in the burst a timer at
 * the case's deadline. No rules, no state but a step counter, no notices. What the product does
 * beyond this is what its case costs above the floor.
 */
import { allHandlersFinished, condition, defineSignal, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { createFloorActivities } from './activities';

export interface FloorInput {
  caseId: string;
  /** the follow-up delay's timer after `approve` (the product's catalogue sets 1 s in the bench) */
  followUpDelayMs?: number;
  /**
   * burst: wait to be armed (armSignal, once every burst case is open, so no deadline can fall
   * while the others are still opening), then one timer at that instant and one write that
   * records when it happened
   */
  burst?: boolean;
}

export interface FloorAnswer {
  caseId: string;
  step: string;
  seq: number;
}

/** one steward action (or the opening, sent with the start) */
export const stepUpdate = defineUpdate<FloorAnswer, [string]>('step');
/** burst: the deadline, epoch ms */
export const armSignal = defineSignal<[number]>('arm');

// the same timeouts and retries as the product's read-model writes
const { writeStep } = proxyActivities<ReturnType<typeof createFloorActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function floorCase(input: FloorInput): Promise<number> {
  const { caseId } = input;
  let seq = 0;
  let last = '';
  setHandler(stepUpdate, async (step) => {
    const mine = ++seq;
    last = step; // applied now (a timer it starts starts now); answered once written
    await writeStep({ caseId, step, seq: mine });
    return { caseId, step, seq: mine };
  });

  if (input.burst) {
    let deadlineAt: number | undefined;
    setHandler(armSignal, (at) => void (deadlineAt = at));
    await condition(() => deadlineAt !== undefined);
    await sleep(Math.max(deadlineAt! - Date.now(), 1));
    await writeStep({ caseId, step: 'deadline', seq: ++seq, deadlineAt: deadlineAt! });
  } else {
    await condition(() => last === 'approve' || last === 'close');
    if (last === 'approve') {
      await sleep(input.followUpDelayMs ?? 1000);
      await writeStep({ caseId, step: 'follow_up_due', seq: ++seq });
      await condition(() => last === 'follow-up' || last === 'close');
    }
  }
  await condition(allHandlersFinished);
  return seq;
}
