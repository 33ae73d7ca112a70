package io.shepherd.runtime.store;

import io.shepherd.runtime.core.JobStatus;

/** Which jobs a listing wants (created at or after {@code since}); any field may be null. */
public record JobFilter(JobStatus status, String type, String queue, Long since, Long afterCreatedAt, String afterId) {
}
