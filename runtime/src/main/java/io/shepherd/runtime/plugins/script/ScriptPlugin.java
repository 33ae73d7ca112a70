package io.shepherd.runtime.plugins.script;

import java.time.Duration;

import org.graalvm.polyglot.Source;

/** What a script's check and a script's policy share: the script's name and source, and where and how long it runs. */
abstract class ScriptPlugin {
    protected final String name;
    protected final Source source;
    protected final ScriptSandbox sandbox;
    protected final Duration timeout;

    ScriptPlugin(String name, Source source, ScriptSandbox sandbox, Duration timeout) {
        this.name = name;
        this.source = source;
        this.sandbox = sandbox;
        this.timeout = timeout;
    }

    public String name() {
        return name;
    }
}
