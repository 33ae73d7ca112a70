package io.shepherd.runtime.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.plugins.api.PolicySettings;
import io.shepherd.plugins.api.RecoveryPolicy;
import io.shepherd.plugins.api.RecoveryPolicyProvider;
import io.shepherd.plugins.api.testing.PluginTesting;
import org.junit.jupiter.api.Test;

class PolicyBookTest {
    static PolicyBook parse(String yaml) {
        return PolicyFileWatcher.parse(Path.of("test.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
    }

    static final PolicyContext CONTEXT = PluginTesting.policyContext(1000, 3);

    @Test
    void theShippedExampleIsValid() throws Exception {
        Path example = Path.of("..", "config", "policies.yaml");
        PolicyBook book = PolicyFileWatcher.parse(example, Files.readAllBytes(example));
        assertEquals(8, book.forType("email").settings().maxAttempts());
        assertEquals(Duration.ofSeconds(10), book.forType("email").settings().backoff().initial());
        assertEquals(2.0, book.forType("email").settings().backoff().multiplier(), "inherited from default");
        assertEquals("dead-letter", book.forType("import-file").policy());
        assertEquals(10, book.quarantineAfter());
        assertEquals(Duration.ofMinutes(2), book.timeoutFor("email").orElseThrow());
        assertEquals(Duration.ofDays(30), book.forType("import-file").retention().get(io.shepherd.runtime.core.JobStatus.DEAD));
    }

    @Test
    void timeoutsAndRetentionAreInheritedOverriddenAndChecked() {
        PolicyBook book = parse("default:\n  timeout: PT1H\n  retention:\n    completed: P2D\n"
                + "quick:\n  timeout: PT5S\n  retention:\n    dead: 0\nfree:\n  timeout: 0\n");
        assertEquals(Duration.ofHours(1), book.timeoutFor("other").orElseThrow());
        assertEquals(Duration.ofSeconds(5), book.timeoutFor("quick").orElseThrow());
        assertTrue(book.timeoutFor("free").isEmpty(), "0: no ceiling");
        var quick = book.forType("quick").retention();
        assertEquals(Duration.ofDays(2), quick.get(io.shepherd.runtime.core.JobStatus.COMPLETED), "inherited");
        assertEquals(Duration.ZERO, quick.get(io.shepherd.runtime.core.JobStatus.DEAD), "kept for ever");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("email:\n  timeout: soon\n"))
                .getMessage().contains("email.timeout must be an ISO-8601 duration"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("email:\n  retention:\n    pending: P1D\n"))
                .getMessage().contains("unknown key email.retention.pending"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("email:\n  timeout: PT-5S\n"))
                .getMessage().contains("email.timeout must not be negative"));
    }

    @Test
    void typesInheritEveryKeyTheyDoNotSet() {
        PolicyBook book = parse("default:\n  max-attempts: 3\n  backoff:\n    jitter: 0\nreport:\n  backoff:\n    initial: PT2S\n");
        assertEquals(3, book.forType("report").settings().maxAttempts());
        assertEquals(0.0, book.forType("report").settings().backoff().jitter());
        assertEquals(Duration.ofSeconds(2), book.forType("report").settings().backoff().initial());
        assertEquals(Duration.ofSeconds(1), book.forType("other").settings().backoff().initial());
        assertEquals("backoff", book.forType("other").policy());
    }

    @Test
    void invalidEditsAreRefusedNamingTheKey() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("default:\n  max-attempts: 0\n"))
                .getMessage().contains("max-attempts must be at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("email:\n  backoff:\n    initial: soon\n"))
                .getMessage().contains("email.backoff.initial must be an ISO-8601 duration"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("email:\n  backoff:\n    jitter: 2\n"))
                .getMessage().contains("jitter"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("email:\n  backof:\n    initial: PT1S\n"))
                .getMessage().contains("unknown key email.backof"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("email:\n  on-exhausted: maybe\n"))
                .getMessage().contains("on-exhausted must be dead or retry"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("quarantine:\n  consecutive-failures: -1\n"))
                .getMessage().contains("quarantine.consecutive-failures"));
        assertThrows(RuntimeException.class, () -> parse("email: [unclosed\n"));
    }

    @Test
    void aMissingOrThrowingPolicyFallsBackToTheDefaultAndIsCounted() {
        PolicyProviders providers = PolicyProviders.builtIn();
        providers.add(new RecoveryPolicyProvider() {
            public String name() {
                return "explodes";
            }

            public io.shepherd.plugins.api.RecoveryPolicy create(io.shepherd.plugins.api.PolicySettings settings) {
                return (job, context) -> {
                    throw new IllegalStateException("boom");
                };
            }
        });
        Policies policies = new Policies(providers, parse("a:\n  policy: explodes\nb:\n  policy: not-loaded\n"),
                null, new SplittableRandom(3)); // no stores: the test hands the policies a context of its own
        JobFacts failedOnce = new JobFacts("j", "a", "default", 1, 5, JobFacts.FAILED);
        Decision d = policies.decide(failedOnce, CONTEXT);
        assertEquals(Decision.Action.REQUEUE, d.action());
        assertTrue(d.delayMs() >= 800 && d.delayMs() <= 1200, "the default backoff decided: " + d);
        assertEquals(1, policies.failures());
        assertEquals(Decision.Action.REQUEUE,
                policies.decide(new JobFacts("j", "b", "default", 1, 5, JobFacts.FAILED), CONTEXT).action());
        assertEquals(2, policies.failures());
    }

    @Test
    void aProviderForAnotherApiVersionIsRefused() {
        PolicyProviders providers = PolicyProviders.builtIn();
        var e = assertThrows(IllegalArgumentException.class, () -> providers.add(new RecoveryPolicyProvider() {
            public String name() {
                return "future";
            }

            public int apiVersion() {
                return 99;
            }

            public io.shepherd.plugins.api.RecoveryPolicy create(io.shepherd.plugins.api.PolicySettings settings) {
                return null;
            }
        }));
        assertTrue(e.getMessage().contains("plugin API 99"), e.getMessage());
    }
}
