package io.shepherd.runtime.store;

/** Which jobs a listing wants; any field may be null. */
public record JobFilter(String status, String type, String queue, Long afterCreatedAt, String afterId) {
}
