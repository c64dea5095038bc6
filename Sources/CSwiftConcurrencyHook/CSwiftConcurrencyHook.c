#include "CSwiftConcurrencyHook.h"

#include <stddef.h>

// The runtime's declarations (swift/Runtime/Concurrency.h): both functions use the Swift
// calling convention.
typedef void (__attribute__((swiftcall)) *swift_enqueue_original)(void *job);
typedef void (__attribute__((swiftcall)) *swift_enqueue_hook)(void *job, swift_enqueue_original original);
extern swift_enqueue_hook swift_task_enqueueGlobal_hook;

static aw_global_job_sink installed_sink;

static void __attribute__((swiftcall)) enqueue_on_sink(void *job, swift_enqueue_original original) {
  (void)original;
  installed_sink(job);
}

int aw_install_global_job_sink(aw_global_job_sink sink) {
  if (swift_task_enqueueGlobal_hook != NULL) return 0;
  installed_sink = sink;
  swift_task_enqueueGlobal_hook = enqueue_on_sink;
  return 1;
}
