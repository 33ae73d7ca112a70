package io.shepherd.runtime.plugins;

/**
 * One entry of {@code GET /v1/admin/plugins}.
 *
 * @param name   the check's or policy's name (for a jar that failed to load, the jar's file name)
 * @param kind   {@code health-check}, {@code recovery-policy}, or {@code jar} for a jar that provided nothing usable
 * @param source {@code builtin}, the jar's path, or the script's path
 * @param status {@code loaded}, {@code failed}, or {@code circuit-open} for a loaded policy that
 *               kept failing and is not called for now
 * @param error  why it failed (or is not called), or null
 */
public record PluginInfo(String name, String kind, String source, String status, String error) {
    public static final String HEALTH_CHECK = "health-check";
    public static final String RECOVERY_POLICY = "recovery-policy";
    public static final String CIRCUIT_OPEN = "circuit-open";

    public static PluginInfo loaded(String name, String kind, String source) {
        return new PluginInfo(name, kind, source, "loaded", null);
    }

    public static PluginInfo failed(String name, String kind, String source, String error) {
        return new PluginInfo(name, kind, source, "failed", error);
    }
}
