package io.shepherd.runtime.store;

import io.shepherd.runtime.core.JobStatus;

/**
 * Which jobs a listing wants, any field null for no condition: created in [{@code since},
 * {@code until}), held by {@code botId}, submitted with {@code idempotencyKey}; newest first or
 * oldest first, after the (createdAt, id) cursor.
 */
public record JobFilter(JobStatus status, String type, String queue, String botId, String idempotencyKey, Long since,
                        Long until, boolean newestFirst, Long afterCreatedAt, String afterId) {
}
