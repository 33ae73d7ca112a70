package io.shepherd.runtime.plugins.script;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/** {@code NAME.check.js}: a health check named NAME, whose {@code check(ctx)} returns {@code {status, details?}}. */
final class ScriptCheck extends ScriptPlugin implements HealthCheck {
    static final String FUNCTION = "check";

    ScriptCheck(String name, Source source, ScriptSandbox sandbox, Duration timeout) {
        super(name, source, sandbox, timeout);
    }

    @Override
    public HealthStatus check(HealthContext context) {
        ReadOnlyProxy view = ReadOnlyProxy.of(context);
        return sandbox.run(source, timeout, ctx -> {
            Value result = ctx.getBindings("js").getMember(FUNCTION).execute(view);
            if (result == null || !result.hasMember("status")) {
                throw new IllegalStateException("check(ctx) must return {status: \"UP\" | \"DOWN\", details?}");
            }
            String status = result.getMember("status").asString();
            Map<String, Object> details = new LinkedHashMap<>();
            Value d = result.getMember("details");
            if (d != null && d.hasMembers()) {
                for (String key : d.getMemberKeys()) {
                    details.put(key, plain(d.getMember(key)));
                }
            }
            if ("UP".equals(status)) {
                return HealthStatus.healthy(details);
            }
            if ("DOWN".equals(status)) {
                return HealthStatus.unhealthy(details.isEmpty() ? Map.of("reason", "the script says DOWN") : details);
            }
            throw new IllegalStateException("status must be UP or DOWN, was " + status);
        });
    }

    /** A detail as plain Java data: booleans and numbers stay, anything else becomes its text. */
    private static Object plain(Value v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber()) {
            return v.fitsInLong() ? (Object) v.asLong() : (Object) v.asDouble();
        }
        return v.toString();
    }
}
