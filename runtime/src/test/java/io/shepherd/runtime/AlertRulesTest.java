package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in {@code alerts/} are valid, their promtool unit tests pass, and every metric
 * they use is one a running runtime exports.
 */
class AlertRulesTest {
    static final Path ALERTS = Path.of("..", "alerts");

    static String promtool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "promtool";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(ALERTS.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "promtool " + String.join(" ", args) + ":\n" + out);
        return out;
    }

    @Test
    void rulesAreValidAndTheirUnitTestsPass() throws Exception {
        assertTrue(promtool("check", "rules", "shepherd-rules.yml").contains("SUCCESS"));
        assertTrue(promtool("test", "rules", "shepherd-rules.test.yml").contains("SUCCESS"));
    }

    @Test
    void everyAlertHasASummaryADescriptionAndARunbookSectionThatExists() throws Exception {
        String rules = Files.readString(ALERTS.resolve("shepherd-rules.yml"));
        String runbook = Files.readString(Path.of("..", "docs", "runbook.md"));
        int alerts = rules.split("- alert: ").length - 1;
        assertTrue(alerts >= 8, "alerts: " + alerts);
        assertEquals(alerts, count(rules, "summary: "));
        assertEquals(alerts, count(rules, "description: "));
        Matcher links = Pattern.compile("runbook_url: \"docs/runbook.md#([a-z-]+)\"").matcher(rules);
        int linked = 0;
        while (links.find()) {
            linked++;
            String anchor = links.group(1);
            assertTrue(runbook.toLowerCase().contains("## " + anchor.replace('-', ' ')),
                    "docs/runbook.md has a section for #" + anchor);
        }
        assertEquals(alerts, linked);
        assertTrue(promtool("test", "rules", "shepherd-rules.test.yml").contains("SUCCESS"));
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardUseIsExportedByARunningRuntime() throws Exception {
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(shepherd_[a-z_]+)").matcher(Files.readString(ALERTS.resolve("shepherd-rules.yml"))
                + Files.readString(ALERTS.resolveSibling("dashboards").resolve("shepherd.json")));
        while (m.find()) {
            used.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
        }
        assertTrue(used.size() >= 6, used.toString());
        try (TestDatabase db = TestDatabase.create("h2"); TestRuntime runtime = TestRuntime.start(db)) {
            Map<String, Double> exported = MetricsTest.scrape(runtime.http());
            Set<String> names = new TreeSet<>();
            exported.keySet().forEach(k -> names.add(k.replaceAll("\\{.*", "").replaceAll("_(bucket|count|sum|max)$", "")));
            for (String metric : used) {
                assertTrue(names.contains(metric), metric + " is used by an alert or a panel but not exported; exported: "
                        + names);
            }
        }
    }

    static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }
}
