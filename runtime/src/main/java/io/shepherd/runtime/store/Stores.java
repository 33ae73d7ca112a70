package io.shepherd.runtime.store;

import io.shepherd.runtime.db.Database;

/** The database and the stores that speak to it, handed to the services together. */
public record Stores(Database database, JobStore jobs, BulkJobStore bulk, BotStore bots, RecoveryStore recovery,
                     ActionStore actions, QueueStore queues, ScheduleStore schedules) {
    public static Stores of(Database database) {
        return new Stores(database, new JobStore(database.dialect()), new BulkJobStore(database.dialect()),
                new BotStore(database.dialect()),
                new RecoveryStore(database.dialect()), new ActionStore(), new QueueStore(), new ScheduleStore());
    }
}
