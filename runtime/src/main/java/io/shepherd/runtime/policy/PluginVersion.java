package io.shepherd.runtime.policy;

import io.shepherd.plugins.api.PluginApi;

/** The one rule for every provider a plugin brings: built against this runtime's SPI version. */
public final class PluginVersion {
    private PluginVersion() {
    }

    public static void require(int apiVersion, String what) {
        if (apiVersion != PluginApi.VERSION) {
            throw new IllegalArgumentException(what + " was built for plugin API " + apiVersion
                    + "; this runtime speaks version " + PluginApi.VERSION);
        }
    }
}
