package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.shepherd.runtime.policy.PolicyBook;
import io.shepherd.runtime.policy.PolicyFileWatcher;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests parse, say what the runtime does (probe paths and ports, metrics
 * path, policies), and their alert rules are the ones in {@code alerts/}.
 */
class ManifestsTest {
    static final Path K8S = Path.of("..", "k8s");

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents() throws Exception {
        List<Map<String, Object>> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    if (doc != null) {
                        all.add((Map<String, Object>) doc);
                    }
                }
            }
        }
        return all;
    }

    static Map<String, Object> find(List<Map<String, Object>> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(map(d, "metadata").get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String... path) {
        Object at = m;
        for (String key : path) {
            at = ((Map<String, Object>) at).get(key);
        }
        return (Map<String, Object>) at;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> m, String key) {
        return (List<Object>) m.get(key);
    }

    @Test
    void runtimeDeploymentProbesAndServiceMatchTheRuntime() throws Exception {
        List<Map<String, Object>> docs = documents();
        Map<String, Object> deployment = find(docs, "Deployment", "shepherd-runtime");
        Map<String, Object> spec = map(deployment, "spec");
        assertEquals(3, spec.get("replicas"));
        assertEquals(0, map(spec, "strategy", "rollingUpdate").get("maxUnavailable"), "no unavailability in a rollout");
        @SuppressWarnings("unchecked")
        Map<String, Object> container = (Map<String, Object>) list(map(spec, "template", "spec"), "containers").getFirst();
        @SuppressWarnings("unchecked")
        Map<String, Object> port = (Map<String, Object>) list(container, "ports").getFirst();
        assertEquals("http", port.get("name"));
        int containerPort = (Integer) port.get("containerPort");

        // the port the runtime listens on, from its defaults and from the ConfigMap's config
        Map<String, Object> defaults = new Yaml().load(Files.readString(Path.of("src", "main", "resources", "shepherd-defaults.yaml")));
        assertEquals(containerPort, map(defaults, "server").get("port"));
        Map<String, Object> configMap = find(docs, "ConfigMap", "shepherd-config");
        Map<String, Object> runtimeConfig = new Yaml().load((String) map(configMap, "data").get("shepherd.yaml"));
        assertEquals(containerPort, map(runtimeConfig, "server").get("port"));

        assertEquals("/livez", map(container, "livenessProbe", "httpGet").get("path"));
        assertEquals("/ready", map(container, "readinessProbe", "httpGet").get("path"));
        assertNotNull(map(container, "startupProbe", "httpGet").get("path"));
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertEquals("http", map(container, probe, "httpGet").get("port"), probe + " uses the named port");
        }
        assertEquals("512Mi", map(container, "resources", "limits").get("memory"));

        Map<String, Object> service = find(docs, "Service", "shepherd");
        @SuppressWarnings("unchecked")
        Map<String, Object> servicePort = (Map<String, Object>) list(map(service, "spec"), "ports").getFirst();
        assertEquals("http", servicePort.get("targetPort"));
        assertEquals(map(spec, "selector", "matchLabels"), map(service, "spec", "selector"));

        Map<String, Object> hpa = find(docs, "HorizontalPodAutoscaler", "shepherd-runtime");
        assertEquals(3, map(hpa, "spec").get("minReplicas"));
        assertEquals(10, map(hpa, "spec").get("maxReplicas"));
        String metrics = list(map(hpa, "spec"), "metrics").toString();
        assertTrue(metrics.contains("cpu") && metrics.contains("memory"), metrics);
        assertNotNull(find(docs, "PodDisruptionBudget", "shepherd-runtime"));
        assertNotNull(find(docs, "NetworkPolicy", "shepherd-runtime"));
        assertTrue((Integer) map(find(docs, "Cluster", "shepherd-db"), "spec").get("instances") >= 2, "a replica");
        assertNotNull(find(docs, "StatefulSet", "echo-bot"));

        // and the runtime answers on those paths
        Map<String, Object> monitor = find(docs, "ServiceMonitor", "shepherd");
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = (Map<String, Object>) list(map(monitor, "spec"), "endpoints").getFirst();
        assertEquals("http", endpoint.get("port"));
        try (TestDatabase db = TestDatabase.create("h2"); TestRuntime runtime = TestRuntime.start(db)) {
            Http http = runtime.http();
            for (String path : List.of((String) map(container, "livenessProbe", "httpGet").get("path"),
                    (String) map(container, "readinessProbe", "httpGet").get("path"),
                    (String) map(container, "startupProbe", "httpGet").get("path"),
                    (String) endpoint.get("path"))) {
                assertEquals(200, http.get(path, null).status(), path);
            }
        }
    }

    @Test
    void configMapPoliciesAreValidAndThePrometheusRuleIsTheAlertsFile() throws Exception {
        List<Map<String, Object>> docs = documents();
        String policies = (String) map(find(docs, "ConfigMap", "shepherd-config"), "data").get("policies.yaml");
        PolicyBook book = PolicyFileWatcher.parse(Path.of("policies.yaml"), policies.getBytes());
        assertEquals(5, book.defaults().settings().maxAttempts());

        Map<String, Object> rule = find(docs, "PrometheusRule", "shepherd");
        Map<String, Object> alerts = new Yaml().load(Files.readString(Path.of("..", "alerts", "shepherd-rules.yml")));
        assertEquals(alerts.get("groups"), map(rule, "spec").get("groups"),
                "k8s/prometheus-rule.yaml is out of date: run scripts/prometheus-rule.sh");
    }

    @Test
    void composeFileReferencesFilesThatExist() throws Exception {
        Path root = Path.of("..");
        Map<String, Object> compose = new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
        Map<String, Object> services = map(compose, "services");
        for (String service : List.of("nginx", "runtime-1", "runtime-2", "runtime-3", "postgres-primary",
                "postgres-replica", "prometheus", "alertmanager", "grafana", "echo-bot", "echo-bot-python")) {
            assertTrue(services.containsKey(service), "compose has " + service);
        }
        String text = Files.readString(root.resolve("docker-compose.yml"));
        java.util.regex.Matcher files = java.util.regex.Pattern.compile("\\./([A-Za-z0-9_./-]+)").matcher(text);
        while (files.find()) {
            String file = files.group(1).replaceAll("[:].*$", "");
            assertTrue(Files.exists(root.resolve(file)), "compose refers to ./" + file);
        }
        new Yaml().load(new StringReader(Files.readString(root.resolve("compose/prometheus.yml"))));
        new Yaml().load(new StringReader(Files.readString(root.resolve("compose/alertmanager.yml"))));
        String nginx = Files.readString(root.resolve("compose/nginx.conf"));
        for (String upstream : List.of("runtime-1:8080", "runtime-2:8080", "runtime-3:8080")) {
            assertTrue(nginx.contains(upstream), "nginx balances over " + upstream);
        }
        jakarta.json.Json.createReader(new StringReader(Files.readString(root.resolve("dashboards/shepherd.json")))).readObject();
    }

    /** The example bots' StatefulSets: the Java echo bot and its Python twin. */
    static final List<String> BOTS = List.of("echo-bot", "echo-bot-python");

    @Test
    @SuppressWarnings("unchecked")
    void botsKeepTheirIdentityAcrossReschedulesInAVolumeOfTheirOwn() throws Exception {
        List<Map<String, Object>> docs = documents();
        Map<String, Object> policy = map(find(docs, "NetworkPolicy", "shepherd-runtime"), "spec");
        for (String bot : BOTS) {
            Map<String, Object> spec = map(find(docs, "StatefulSet", bot), "spec");
            Map<String, Object> container = (Map<String, Object>) list(map(spec, "template", "spec"), "containers").getFirst();
            Map<String, String> env = new java.util.HashMap<>();
            for (Object e : list(container, "env")) {
                Map<String, Object> var = (Map<String, Object>) e;
                if (var.get("value") != null) {
                    env.put((String) var.get("name"), var.get("value").toString());
                }
            }
            String stateDir = env.get("BOT_STATE_DIR");
            Map<String, Object> mount = (Map<String, Object>) list(container, "volumeMounts").stream()
                    .filter(m -> stateDir.equals(((Map<String, Object>) m).get("mountPath"))).findFirst()
                    .orElseThrow(() -> new AssertionError(bot + ": the state directory " + stateDir + " is a mounted volume"));
            Map<String, Object> claim = (Map<String, Object>) list(spec, "volumeClaimTemplates").getFirst();
            assertEquals(mount.get("name"), map(claim, "metadata").get("name"), bot + ": a persistent volume per pod, not an emptyDir");
            assertEquals("idle", env.get("BOT_ON_DRAIN"), bot + ": a drained pod idles instead of being restarted drained");
            assertEquals(bot, spec.get("serviceName"));
            find(docs, "Service", bot);
            // the runtime's network policy lets this bot's pods in
            Map<String, Object> podLabels = map(spec, "template", "metadata", "labels");
            boolean admitted = list((Map<String, Object>) list(policy, "ingress").getFirst(), "from").stream()
                    .map(f -> (Map<String, Object>) ((Map<String, Object>) f).get("podSelector"))
                    .filter(java.util.Objects::nonNull)
                    .anyMatch(selector -> podLabels.entrySet().containsAll(map(selector, "matchLabels").entrySet()));
            assertTrue(admitted, bot + "'s pods " + podLabels + " may reach the runtime");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void runtimeAndBotsRunLockedDown() throws Exception {
        List<Map<String, Object>> docs = documents();
        List<Map<String, Object>> workloads = new ArrayList<>(List.of(find(docs, "Deployment", "shepherd-runtime")));
        BOTS.forEach(bot -> workloads.add(find(docs, "StatefulSet", bot)));
        for (Map<String, Object> workload : workloads) {
            Map<String, Object> pod = map(workload, "spec", "template", "spec");
            String name = map(workload, "metadata").get("name").toString();
            assertEquals(true, map(pod, "securityContext").get("runAsNonRoot"), name);
            assertEquals("RuntimeDefault", map(pod, "securityContext", "seccompProfile").get("type"), name);
            assertEquals(false, pod.get("automountServiceAccountToken"), name);
            Map<String, Object> container = (Map<String, Object>) list(pod, "containers").getFirst();
            Map<String, Object> security = map(container, "securityContext");
            assertEquals(true, security.get("readOnlyRootFilesystem"), name);
            assertEquals(false, security.get("allowPrivilegeEscalation"), name);
            assertEquals(List.of("ALL"), map(security, "capabilities").get("drop"), name);
            assertTrue(list(container, "volumeMounts").stream().anyMatch(m -> "/tmp".equals(((Map<String, Object>) m)
                    .get("mountPath"))), name + " has a writable /tmp");
        }
    }

    @Test
    void composeHasNoDefaultSecretsAndPublishesOnLoopback() throws Exception {
        String text = Files.readString(Path.of("..", "docker-compose.yml"));
        assertTrue(!text.contains("change-me") && !text.contains("password=shepherd"), "no default secrets");
        java.util.regex.Matcher ports = java.util.regex.Pattern.compile("ports: \\[\"([^\"]+)\"").matcher(text);
        int published = 0;
        while (ports.find()) {
            assertTrue(ports.group(1).startsWith("${SHEPHERD_BIND:-127.0.0.1}:"), "published on loopback: " + ports.group(1));
            published++;
        }
        assertTrue(published >= 4, "ports found: " + published);
        for (String secret : List.of("SHEPHERD_ADMIN_TOKEN", "SHEPHERD_DB_PASSWORD", "GRAFANA_ADMIN_PASSWORD")) {
            assertTrue(text.contains("${" + secret + ":?"), secret + " is required, not defaulted");
        }
        String ignored = Files.readString(Path.of("..", ".dockerignore"));
        for (String path : List.of("**/target/", "**/data/", "**/bot-state/", ".env")) {
            assertTrue(ignored.lines().anyMatch(path::equals), ".dockerignore keeps " + path + " out of images");
        }
    }
}
