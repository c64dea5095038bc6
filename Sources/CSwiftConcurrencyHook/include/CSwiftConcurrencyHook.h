#ifndef C_SWIFT_CONCURRENCY_HOOK_H
#define C_SWIFT_CONCURRENCY_HOOK_H

/// Where Swift concurrency's jobs without an executor of their own go: a function taking the
/// job (a `Job *`, the pointer an `UnownedJob` wraps).
typedef void (*aw_global_job_sink)(void *job);

/// Sends every job Swift concurrency would enqueue on its global executor to `sink` instead,
/// through the runtime's enqueue hook (`swift_task_enqueueGlobal_hook`). Reached by name at link
/// time, so it works where the runtime is linked in statically and its symbols are not exported.
/// Returns 0 (and changes nothing) when a hook is installed already.
int aw_install_global_job_sink(aw_global_job_sink sink);

#endif
