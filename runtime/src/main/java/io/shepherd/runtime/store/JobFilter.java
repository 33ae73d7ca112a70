package io.shepherd.runtime.store;

import io.shepherd.runtime.core.JobStatus;

/** Which jobs a listing wants; any field may be null. */
public record JobFilter(JobStatus status, String type, String queue, Long afterCreatedAt, String afterId) {
}
