/*
 * tasks: the table (see tasks.h).  Nothing but data; the last entry is
 * the end marker, so the table stays valid C while it is empty.
 */
#include "tasks.h"
#include "deliver.h"
#include "offboard_exec.h"
#include "sequencer.h"

const struct task tasks[] = {
        {"offboarding executor", offboard_exec_run},
        {"event sequencer", sequencer_run},
        {"webhook deliverer", deliver_run},
        {NULL, NULL},
};

const size_t tasks_count = sizeof(tasks) / sizeof(tasks[0]) - 1;
