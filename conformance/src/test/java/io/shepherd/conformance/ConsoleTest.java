package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.openqa.selenium.WebElement;

/**
 * The operations console in a real browser (Debian's Chromium through Selenium) against a real
 * runtime process on PostgreSQL and real echo-bot processes: sign in, find a job by id, watch a
 * bot killed with SIGKILL come back and its job's timeline show the release and the new claim
 * without a reload, retry a dead job and every dead job a filter picks, drain and undrain a bot,
 * pause a queue and see claims stop, sweep now, and a viewer who sees everything and can change
 * nothing. Screenshots of the main pages go to
 * {@code -Dconsole.screenshots} (default {@code target/console-screenshots}; the README's come
 * from {@code -Dconsole.screenshots=../docs/console}).
 */
@Isolated // a browser of its own: never beside a timed scenario (see junit-platform.properties)
class ConsoleTest {
    static final String VIEWER = "test-viewer-token";
    static final Duration UI = Duration.ofSeconds(20);
    static final Path SHOTS = Path.of(System.getProperty("console.screenshots", "target/console-screenshots"));

    @Test
    void anOperatorFollowsAndActsAndAViewerOnlyLooks() throws Exception {
        try (Stack stack = new Stack()) {
            int port = ChildProcess.freePort();
            Http http = Stack.http(port);
            stack.runtime("rt", port, Map.of("SHEPHERD_VIEWER_TOKENS", VIEWER)).awaitReady(http, Duration.ofSeconds(60));
            stack.echoBot(BotLanguage.JAVA, "steady", http.base(), Map.of("BOT_CONCURRENCY", "4",
                    "BOT_LABELS", "zone=eu-1,pool=batch"));
            ChildProcess worker = stack.echoBot(BotLanguage.JAVA, "doomed", http.base(), Map.of("BOT_LABELS", "zone=eu-2"));
            for (int i = 0; i < 12; i++) {
                Stack.submit(http, Http.obj("n", i));
            }
            String dead = submit(http, Http.obj("type", "echo", "payload", Http.obj("fail", true), "maxAttempts", 1));
            Stack.awaitStatus(http, dead, "dead", Duration.ofSeconds(30));

            try (Browser browser = new Browser(1280, 900)) {
                String console = http.base() + "/console/";
                browser.open(console);
                // a wrong token is refused, a right one signs in
                signIn(browser, "not-a-token");
                browser.await("a refused token is said so", UI, d -> browser.text("#signin-error").contains("not accepted"));
                signIn(browser, TestRuntime.ADMIN);
                browser.await("the overview shows the jobs by status", UI,
                        d -> browser.text("#overview-tiles").contains("completed"));
                browser.await("the overview names the recovery leader", UI, d -> !browser.text("#leader").isEmpty());
                assertEquals("admin", browser.text("#role"));
                assertFalse(String.valueOf(browser.js("return location.href")).contains(TestRuntime.ADMIN),
                        "the token is never in the URL");
                assertEquals(TestRuntime.ADMIN, browser.js("return sessionStorage.getItem('shepherd.token')"));
                assertEquals(null, browser.js("return localStorage.getItem('shepherd.token')"));

                // a long job held by the doomed bot, found by its id
                String held = submitUntilHeldBy(http, stack, worker, "doomed");
                String doomedBot = Stack.job(http, held).getString("claimedBy");
                go(browser, "#/jobs");
                browser.await("the jobs list", UI, d -> browser.all("#job-list table tbody tr").size() > 5);
                browser.find("#find").sendKeys(held);
                browser.find("#job-find button[type=submit]").click();
                browser.await("the job's page", UI, d -> browser.text("#job-head h1").contains(held));
                browser.await("it is claimed by the doomed bot", UI, d -> browser.text("#holder").contains(doomedBot));
                browser.js("window.sameDocument = true");

                // SIGKILL, then the same bot starts again: its phantom claim is released and it claims anew
                worker.kill();
                stack.echoBot(BotLanguage.JAVA, "doomed", http.base(), Map.of("BOT_LABELS", "zone=eu-2"));
                browser.await("the timeline shows the release on restart and the new claim", Duration.ofSeconds(40), d -> {
                    String timeline = browser.text("#timeline");
                    int release = timeline.indexOf("released its bot restarted");
                    return release >= 0 && timeline.indexOf("claimed", release) > release;
                });
                assertEquals(Boolean.TRUE, browser.js("return window.sameDocument === true"), "no reload");
                browser.screenshot(SHOTS, "job");
                // its minute of work is not needed any more: the bots are free for what follows
                assertEquals(200, http.post("/v1/jobs/" + held + "/cancel", TestRuntime.ADMIN, null).status());

                // retry a dead job
                go(browser, "#/jobs/" + dead);
                browser.await("the dead job", UI, d -> browser.text("#job-status").equals("dead"));
                browser.find("#retry").click();
                confirm(browser);
                browser.await("the timeline shows the operator's retry", UI,
                        d -> browser.text("#timeline").contains("retried an operator retried it"));
                assertTrue(http.get("/v1/admin/actions", TestRuntime.ADMIN).body().contains("\"job.retry\""));

                // pause a queue: claims of its jobs stop; resume: they go on
                Stack.awaitStatus(http, submit(http, Http.obj("type", "echo", "queue", "reports", "payload", Http.obj())),
                        "completed", Duration.ofSeconds(30));
                go(browser, "#/queues");
                browser.await("the queue's pause button", UI, d -> !browser.all("#pause-reports").isEmpty());
                browser.find("#pause-reports").click();
                confirm(browser);
                browser.await("the queue shows paused", UI, d -> !browser.all("#resume-reports").isEmpty());
                String waiting = submit(http, Http.obj("type", "echo", "queue", "reports", "payload", Http.obj()));
                Thread.sleep(3000);
                assertEquals("pending", Stack.job(http, waiting).getString("status"), "no bot claims from a paused queue");
                browser.screenshot(SHOTS, "queues");
                browser.find("#resume-reports").click();
                confirm(browser);
                Stack.awaitStatus(http, waiting, "completed", Duration.ofSeconds(30));

                // retry every dead job of a type at once, by the list's filter
                List<String> flaky = new java.util.ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    flaky.add(submit(http, Http.obj("type", "echo", "queue", "flaky", "payload", Http.obj("fail", true),
                            "maxAttempts", 1)));
                }
                for (String f : flaky) {
                    Stack.awaitStatus(http, f, "dead", Duration.ofSeconds(30));
                }
                // (their queue paused, so that the retried jobs wait instead of failing again at once)
                assertEquals(200, http.post("/v1/queues/flaky/pause", TestRuntime.ADMIN, null).status());
                go(browser, "#/jobs?status=dead&queue=flaky");
                browser.await("the three dead jobs", UI, d -> browser.all("#job-list tbody tr").size() == 3);
                browser.find("#bulk-retry").click();
                confirm(browser);
                browser.await("the list drawn again without them", UI, d -> browser.all("#job-list tbody tr").size() == 1
                        && browser.text("#job-list").contains("No job matches"));
                for (String f : flaky) {
                    assertEquals("pending", Stack.job(http, f).getString("status"));
                    assertTrue(Stack.events(http, f).contains("retried/admin-retry"), Stack.events(http, f).toString());
                }
                assertEquals(200, http.post("/v1/queues/flaky/resume", TestRuntime.ADMIN, null).status());

                // drain a bot and undrain it
                go(browser, "#/bots");
                browser.await("both bots listed", UI, d -> browser.all("#bot-list tbody tr").size() >= 2);
                assertTrue(browser.text("#bot-list").contains("zone=eu-1"), "labels shown: " + browser.text("#bot-list"));
                browser.find("[id='drain-echo-steady']").click();
                confirm(browser);
                browser.await("the bot shows draining", UI, d -> !browser.all("[id='undrain-echo-steady']").isEmpty());
                assertTrue(botNamed(http, "echo-steady").getBoolean("drain"));
                browser.find("[id='undrain-echo-steady']").click();
                confirm(browser);
                browser.await("the bot takes work again", UI, d -> !browser.all("[id='drain-echo-steady']").isEmpty());
                assertFalse(botNamed(http, "echo-steady").getBoolean("drain"));
                browser.screenshot(SHOTS, "bots");
                go(browser, "#/jobs");
                browser.await("the jobs list", UI, d -> browser.all("#job-list tbody tr").size() > 5);
                browser.screenshot(SHOTS, "jobs");
                go(browser, "#/system");
                browser.await("the policies in force", UI, d -> browser.text("#policies").contains("backoff"));
                browser.screenshot(SHOTS, "system");
                browser.find("#sweep-now").click();
                confirm(browser);
                browser.await("the sweep's result", UI, d -> browser.text("#recovery-state").contains("Swept:"));
                go(browser, "#/");
                browser.await("the chart", UI, d -> !browser.all("#throughput svg polyline").isEmpty());
                browser.screenshot(SHOTS, "overview");
                browser.find("#theme").click(); // auto → light
                browser.find("#theme").click(); // light → dark
                assertEquals("dark", browser.js("return document.documentElement.dataset.theme"));
                browser.resize(390, 844);
                go(browser, "#/");
                browser.await("the overview on a phone", UI, d -> browser.text("#overview-tiles").contains("completed"));
                browser.screenshot(SHOTS, "phone-dark");
                browser.resize(1280, 900);
                browser.find("#theme").click(); // dark → auto

                // the viewer: everything visible, no lever offered, and the API refuses one pulled by hand
                browser.find("#signout").click();
                // by keyboard alone: the token field has the focus, Enter signs in
                browser.await("the sign-in form", UI, d -> !browser.all("#token").isEmpty());
                assertEquals("token", browser.js("return document.activeElement.id"));
                browser.driver.switchTo().activeElement().sendKeys(VIEWER + org.openqa.selenium.Keys.ENTER);
                browser.await("signed in as a viewer", UI, d -> browser.text("#role").contains("viewer"));
                go(browser, "#/jobs/" + dead);
                browser.await("the viewer sees the job", UI, d -> browser.text("#job-head h1").contains(dead));
                browser.await("and its story", UI, d -> browser.text("#timeline").contains("retried"));
                assertTrue(browser.all("#retry, #cancel").isEmpty(), "no action for a viewer");
                go(browser, "#/queues");
                browser.await("the viewer sees the queues", UI, d -> browser.text("#queue-list").contains("reports"));
                assertTrue(browser.all("#pause-reports, #resume-reports").isEmpty());
                go(browser, "#/bots");
                browser.await("the viewer sees the bots", UI, d -> browser.all("#bot-list tbody tr").size() >= 2);
                assertTrue(browser.all("#bot-list button").isEmpty(), "no bot action for a viewer");
                go(browser, "#/jobs?status=dead");
                browser.await("the viewer's filtered list", UI, d -> browser.all("#job-list tbody tr").size() >= 1);
                assertTrue(browser.all("#bulk-retry, #bulk-cancel").isEmpty());
                Object refused = browser.asyncJs("const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0], {method: 'POST', headers: {Authorization: 'Bearer ' + sessionStorage.getItem('shepherd.token')}})"
                        + ".then(r => done(r.status), e => done(String(e)));", http.base() + "/v1/jobs/" + dead + "/retry");
                assertEquals(403L, refused, "the API itself refuses a viewer's action");
                browser.find("#signout").click();
                assertEquals(null, browser.js("return sessionStorage.getItem('shepherd.token')"), "signing out forgets the token");
            }
        }
    }

    /**
     * The shipped nginx configuration ({@code compose/nginx.conf}), pointed at a real runtime
     * instead of the compose file's three, serves the console under its {@code /shepherd/} prefix:
     * the redirect, the files and every API call stay under the prefix.
     */
    @Test
    void theConsoleWorksBehindTheShippedNginxUnderAPathPrefix() throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt");
            String id = Stack.submit(http, Http.obj("n", 1));
            int port = ChildProcess.freePort();
            Path dir = java.nio.file.Files.createDirectories(stack.dir.resolve("nginx"));
            String shipped = java.nio.file.Files.readString(Path.of("..", "compose", "nginx.conf"));
            String conf = shipped
                    .replaceAll("(?m)^\\s*server runtime-\\d+:8080.*\\n", "")
                    .replace("upstream shepherd {", "upstream shepherd {\n    server " + http.base().substring("http://".length()) + ";")
                    .replace("listen 8080;", "listen 127.0.0.1:" + port + ";")
                    .replace("http {", "http {\n  access_log " + dir.resolve("access.log") + ";");
            assertTrue(conf.contains("location /shepherd/"), "the shipped config serves the prefix:\n" + conf);
            java.nio.file.Files.writeString(dir.resolve("nginx.conf"), conf);
            // one process (no master and workers), so stopping it leaves nothing behind
            try (ChildProcess nginx = ChildProcess.command(dir, Map.of(), List.of("nginx", "-p", dir.toString(), "-c",
                    dir.resolve("nginx.conf").toString(), "-g", "daemon off; master_process off; pid " + dir.resolve("nginx.pid")
                            + "; error_log " + dir.resolve("error.log") + ";"));
                 Browser browser = new Browser(1280, 900)) {
                Http proxied = Stack.http(port);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (true) {
                    try {
                        if (proxied.get("/shepherd/ready", null).status() == 200) {
                            break;
                        }
                    } catch (RuntimeException notYet) {
                        // nginx is starting
                    }
                    if (System.nanoTime() > deadline || !nginx.alive()) {
                        Path log = dir.resolve("error.log");
                        throw new AssertionError("nginx did not serve:\n" + nginx.output() + "\n"
                                + (java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "") + "\n" + conf);
                    }
                    Thread.sleep(100);
                }
                browser.open(proxied.base() + "/shepherd/console");
                signIn(browser, TestRuntime.ADMIN);
                browser.await("the overview through the proxy", UI, d -> browser.text("#overview-tiles").contains("completed"));
                assertEquals("/shepherd/console/", browser.js("return location.pathname"));
                go(browser, "#/jobs/" + id);
                browser.await("a job through the proxy", UI, d -> browser.text("#job-head h1").contains(id));
                @SuppressWarnings("unchecked")
                List<String> fetched = (List<String>) browser.js(
                        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)");
                assertTrue(fetched.stream().anyMatch(p -> p.startsWith("/shepherd/v1/")), fetched.toString());
                assertTrue(fetched.stream().allMatch(p -> p.startsWith("/shepherd/")), "everything under the prefix: " + fetched);
            }
        }
    }

    private static JsonObject botNamed(Http http, String name) {
        return http.get("/v1/bots", TestRuntime.ADMIN).json().getJsonArray("bots").getValuesAs(JsonObject.class).stream()
                .filter(b -> b.getString("name").equals(name)).findFirst().orElseThrow();
    }

    /** A job of 60 s submitted until the named bot is the one holding it (the other may take it first). */
    private static String submitUntilHeldBy(Http http, Stack stack, ChildProcess worker, String name) throws Exception {
        String botId = null;
        for (JsonObject bot : http.get("/v1/bots", TestRuntime.ADMIN).json().getJsonArray("bots").getValuesAs(JsonObject.class)) {
            if (bot.getString("name").equals("echo-" + name)) {
                botId = bot.getString("id");
            }
        }
        assertTrue(botId != null, "the bot registered");
        for (int i = 0; i < 20; i++) {
            String id = Stack.submit(http, Http.obj("sleepMs", 60_000));
            JsonObject job = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30));
            if (botId.equals(job.getString("claimedBy"))) {
                return id;
            }
            // the other bot took it: cancelled, so that it does not sit on that bot's slots for a minute
            assertEquals(200, http.post("/v1/jobs/" + id + "/cancel", TestRuntime.ADMIN, null).status());
        }
        throw new AssertionError("the bot " + name + " never took a long job:\n" + worker.output());
    }

    private static String submit(Http http, JsonObject job) {
        Http.Response r = http.post("/v1/jobs", TestRuntime.CLIENT, job);
        assertEquals(201, r.status(), r.toString());
        return r.json().getString("id");
    }

    static void signIn(Browser browser, String token) {
        browser.await("the sign-in form", UI, d -> !browser.all("#token").isEmpty());
        WebElement input = browser.find("#token");
        input.clear();
        input.sendKeys(token);
        browser.find("#signin-submit").click();
    }

    static void go(Browser browser, String hash) {
        browser.js("location.hash = arguments[0]", hash);
    }

    static void confirm(Browser browser) {
        browser.await("the confirmation", UI, d -> browser.find("#confirm").isDisplayed());
        browser.find("#confirm-ok").click();
    }

}
