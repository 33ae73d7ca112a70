package io.shepherd.runtime.plugins.script;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.plugins.api.PolicySettings;
import io.shepherd.plugins.api.RecoveryPolicy;
import io.shepherd.plugins.api.RecoveryPolicyProvider;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * {@code NAME.policy.js}: a recovery policy named NAME, whose {@code decide(job, ctx)} returns
 * {@code {action: "requeue" | "dead", delayMs?}}.
 */
final class ScriptPolicy extends ScriptPlugin implements RecoveryPolicyProvider {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScriptPolicy.class);
    static final String FUNCTION = "decide";

    ScriptPolicy(String name, Source source, ScriptSandbox sandbox, Duration timeout) {
        super(name, source, sandbox, timeout);
    }

    @Override
    public RecoveryPolicy create(PolicySettings settings) {
        return (JobFacts job, PolicyContext context) -> {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("id", job.id());
            facts.put("type", job.type());
            facts.put("queue", job.queue());
            facts.put("attempt", job.attempt());
            facts.put("maxAttempts", job.maxAttempts());
            facts.put("reason", job.reason());
            ReadOnlyProxy jobView = new ReadOnlyProxy(facts);
            ReadOnlyProxy view = ReadOnlyProxy.of(context);
            Decision decision = sandbox.run(source, timeout, ctx -> {
                Value result = ctx.getBindings("js").getMember(FUNCTION).execute(jobView, view);
                if (result == null || !result.hasMember("action")) {
                    throw new IllegalStateException("decide(job, ctx) must return {action: \"requeue\" | \"dead\", delayMs?}");
                }
                String action = result.getMember("action").asString();
                return switch (action) {
                    case "dead" -> Decision.dead();
                    case "requeue" -> {
                        Value delay = result.getMember("delayMs");
                        yield Decision.requeue(delay == null || delay.isNull() ? 0 : Math.max(0, delay.asLong()));
                    }
                    default -> throw new IllegalStateException("action must be requeue or dead, was " + action);
                };
            });
            LOG.atInfo().addKeyValue("jobId", job.id()).addKeyValue("type", job.type())
                    .addKeyValue("attempt", job.attempt()).addKeyValue("policy", name)
                    .addKeyValue("action", decision.action().name().toLowerCase(java.util.Locale.ROOT))
                    .addKeyValue("delayMs", decision.delayMs())
                    .log("Script policy {} decided {} for job {} ({} after attempt {})", name,
                            decision.action().name().toLowerCase(java.util.Locale.ROOT), job.id(), job.reason(), job.attempt());
            return decision;
        };
    }
}
