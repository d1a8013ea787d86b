/**
 * SHUTDOWN_APPLICATION (Kafka Streams' StreamThreadExceptionResponse): the instance whose processing
 * failed asks every instance of the application to shut down. As in Kafka Streams, where a thread is
 * added to carry the request when the failed one was the last, a short-lived member joins the
 * application's consumer group with the request (LogConsumer.requestGroupShutdown, Kafka Streams'
 * SHUTDOWN_REQUESTED assignment error code). The group then assigns nothing and tells every member
 * to shut down (RebalanceListener.onGroupShutdown); each instance closes to ERROR.
 */
import type { Backend } from '../backend/backend-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Logger } from './logger.js';

/** What an instance that was told to shut down reports (its waitUntilRunning() rejects with it). */
export function groupShutdownError(applicationId: string): StreamwrightError {
  return new StreamwrightError(
    'APP_STATE',
    `An instance of application ${applicationId} asked every instance to shut down (its uncaught-exception handler answered SHUTDOWN_APPLICATION); this instance stopped in ERROR. See that instance's log for the failure, fix it, then create and start new instances.`,
    { applicationId },
  );
}

export interface ShutdownRequestOptions {
  readonly groupId: string;
  readonly clientId: string;
  /** The instance's group subscription (so a Kafka leader of any member sees the same topics). */
  readonly subscription: readonly string[] | RegExp;
  /** Give up waiting (for the signal, then for the other members to leave) after this long. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** close() was called meanwhile: stop waiting. */
  readonly cancelled: () => boolean;
}

/**
 * Joins `groupId` with a shutdown request and stays until the group has told this member to shut
 * down (so every member of that generation was told) and no other member is left (so a member that
 * rejoins meanwhile, e.g. after a lost SyncGroup, is told again), or until `timeoutMs`. Resolves true
 * when the signal came back, false on timeout or cancellation.
 */
export async function requestApplicationShutdown(backend: Backend, opts: ShutdownRequestOptions): Promise<boolean> {
  const consumer = backend.consumer({ groupId: opts.groupId, clientId: opts.clientId });
  let signalled = false;
  const deadline = Date.now() + opts.timeoutMs;
  try {
    consumer.requestGroupShutdown();
    await consumer.subscribe(opts.subscription, {
      onPartitionsRevoked: () => undefined,
      // Only a group whose members predate the request protocol could assign anything; read nothing.
      onPartitionsAssigned: (tps) => consumer.pause(tps),
      onGroupShutdown: () => {
        signalled = true;
      },
    });
    while (Date.now() < deadline && !opts.cancelled()) {
      await consumer.poll({ maxRecords: 1, maxWaitMs: 100 });
      if (!signalled) continue;
      const meta = consumer.groupMetadata?.();
      if (meta === undefined || meta.members.every((m) => m.memberId === meta.memberId)) break;
    }
  } catch (err) {
    opts.logger.error(`Asking the other instances of ${opts.groupId} to shut down failed: ${(err as Error).message}`);
  } finally {
    await consumer.close().catch(() => undefined);
  }
  if (!signalled && !opts.cancelled()) {
    opts.logger.warn(`The request to shut down every instance of ${opts.groupId} was not confirmed by the group within ${opts.timeoutMs} ms; this instance shuts down anyway.`);
  }
  return signalled;
}
