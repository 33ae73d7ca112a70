package io.shepherd.plugins.api;

/**
 * The version of this SPI. A plugin built against another major version is refused with a
 * clear error instead of failing at its first call.
 */
public final class PluginApi {
    /** Bumped on every incompatible change of an interface in this package. */
    public static final int VERSION = 1;

    private PluginApi() {
    }
}
