package io.shepherd.runtime.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.core.Names;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Settings;
import io.shepherd.runtime.service.BotSessions;
import io.shepherd.runtime.service.ClaimJobs;
import io.shepherd.runtime.service.DrainBots;
import io.shepherd.runtime.service.Heartbeat;
import io.shepherd.runtime.service.ReadBots;
import io.shepherd.runtime.service.RegisterBot;
import io.shepherd.runtime.service.ReportJobs;
import io.shepherd.runtime.service.Services;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.JobRow;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;

/**
 * {@code /v1/bots}: register, sessions, heartbeat, claim, exchange (reports in, jobs out), reset,
 * deregister, read; an admin's drain, undrain, revoke.
 */
public final class BotsHttpService implements HttpService {
    private final Api api;
    private final Settings settings;
    private final RegisterBot registerBot;
    private final BotSessions sessions;
    private final Heartbeat heartbeat;
    private final ClaimJobs claimJobs;
    private final ReadBots readBots;
    private final DrainBots drainBots;
    private final ReportJobs reportJobs;

    public BotsHttpService(Api api, Settings settings, Services services) {
        this.api = api;
        this.settings = settings;
        this.registerBot = services.registerBot();
        this.sessions = services.botSessions();
        this.heartbeat = services.heartbeat();
        this.claimJobs = services.claimJobs();
        this.readBots = services.readBots();
        this.drainBots = services.drainBots();
        this.reportJobs = services.reportJobs();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::register)
                .get("/", this::list)
                .any("/", Api.allow("GET", "POST"))
                .post("/drain", (req, res) -> drainMatching(req, res, true))
                .any("/drain", Api.allow("POST"))
                .post("/undrain", (req, res) -> drainMatching(req, res, false))
                .any("/undrain", Api.allow("POST"))
                .get("/{id}", this::get)
                .delete("/{id}", this::deregister)
                .any("/{id}", Api.allow("GET", "DELETE"))
                .post("/{id}/sessions", this::openSession)
                .any("/{id}/sessions", Api.allow("POST"))
                .post("/{id}/heartbeat", this::heartbeat)
                .any("/{id}/heartbeat", Api.allow("POST"))
                .post("/{id}/claim", this::claim)
                .any("/{id}/claim", Api.allow("POST"))
                .post("/{id}/exchange", this::exchange)
                .any("/{id}/exchange", Api.allow("POST"))
                .post("/{id}/reset", this::reset)
                .any("/{id}/reset", Api.allow("POST"))
                .post("/{id}/drain", (req, res) -> drain(req, res, true))
                .any("/{id}/drain", Api.allow("POST"))
                .post("/{id}/undrain", (req, res) -> drain(req, res, false))
                .any("/{id}/undrain", Api.allow("POST"))
                .post("/{id}/revoke", this::revoke)
                .any("/{id}/revoke", Api.allow("POST"));
    }

    private void register(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        caller.requireEnroll();
        Body body = api.body(req);
        RegisterBot.Registered registered = registerBot.register(caller, new RegisterBot.Registration(
                body.optString("name"), body.optStrings("types"), labels(body)));
        Responses.json(res, 201, JsonViews.BUILDERS.createObjectBuilder()
                .add("bot", JsonViews.bot(registered.bot()))
                .add("token", registered.token())
                .add("session", registered.bot().session())
                .add("heartbeatIntervalMs", settings.heartbeatInterval().toMillis())
                .add("leaseTtlMs", settings.leaseTtl().toMillis())
                .add("claimWaitMs", settings.longestPoll().toMillis())
                .build());
    }

    private void list(ServerRequest req, ServerResponse res) {
        List<BotRow> bots = readBots.list(api.caller(req), Api.query(req, "status"));
        JsonArrayBuilder array = JsonViews.BUILDERS.createArrayBuilder();
        bots.forEach(b -> array.add(JsonViews.bot(b)));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder().add("bots", array).build());
    }

    private void get(ServerRequest req, ServerResponse res) {
        Responses.ok(res, JsonViews.bot(readBots.get(api.caller(req), Api.id(req))));
    }

    private void deregister(ServerRequest req, ServerResponse res) {
        api.noBodyNeeded(req);
        sessions.deregister(api.caller(req), Api.id(req));
        Responses.noContent(res);
    }

    private void openSession(ServerRequest req, ServerResponse res) {
        api.noBodyNeeded(req);
        BotSessions.Opened opened = sessions.openSession(api.caller(req), Api.id(req));
        Responses.json(res, 201, JsonViews.BUILDERS.createObjectBuilder()
                .add("session", opened.session())
                .add("released", JsonViews.strings(opened.released()))
                .add("claimWaitMs", settings.longestPoll().toMillis())
                .build());
    }

    private void heartbeat(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        Body body = api.body(req);
        Heartbeat.Answer answer = heartbeat.beat(caller, Api.id(req), body.string("session"), body.optStrings("jobs"),
                progress(body.optObject("progress")));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("leaseExpiresAt", JsonViews.time(answer.leaseExpiresAt()))
                .add("cancel", JsonViews.strings(answer.cancel()))
                .add("lost", JsonViews.strings(answer.lost()))
                .add("drain", answer.drain())
                .build());
    }

    /** What a heartbeat says of each job's progress: any JSON by job id, kept as text. */
    private static Map<String, String> progress(JsonObject progress) {
        if (progress == null || progress.isEmpty()) {
            return Map.of();
        }
        Map<String, String> byJob = new LinkedHashMap<>();
        progress.forEach((jobId, value) -> byJob.put(jobId, value.toString()));
        return byJob;
    }

    private void claim(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        Body body = api.body(req);
        Integer max = body.optInt("max");
        Long waitMs = body.optLong("waitMs");
        ClaimJobs.Request request = new ClaimJobs.Request(Api.id(req), body.string("session"),
                max == null ? 1 : max, waitMs == null ? 0 : waitMs, body.optStrings("types"));
        List<JobRow> claimed = claimJobs.claim(caller, request);
        if (claimed.isEmpty()) {
            Responses.noContent(res);
        } else {
            Responses.json(res, 200, JsonViews.claimedJobs(new JsonText().raw("{"), "jobs", claimed).raw("}"));
        }
    }

    /** Reports in, jobs out ({@link ReportJobs#exchange}); a claim refused after reports were applied carries their answers. */
    private void exchange(ServerRequest req, ServerResponse res) {
        var caller = api.caller(req);
        String botId = Api.id(req);
        Body body = api.body(req);
        String session = body.string("session");
        List<ReportJobs.Report> reports = reports(body);
        Integer max = body.optInt("max");
        Long waitMs = body.optLong("waitMs");
        ClaimJobs.Request claim = null;
        if (max != null && max != 0) {
            claim = new ClaimJobs.Request(botId, session, max, waitMs == null ? 0 : waitMs, body.optStrings("types"));
        } else if (waitMs != null && waitMs != 0) {
            throw Problem.badRequest("waitMs needs max: it is how long a claim waits for work");
        }
        ReportJobs.Exchanged exchanged = reportJobs.exchange(caller, botId, session, reports, claim);
        if (exchanged.claimRefused() != null) {
            JsonArrayBuilder answered = JsonViews.BUILDERS.createArrayBuilder();
            exchanged.answers().forEach(a -> answered.add(JsonViews.json(answer(new JsonText(), a).toString())));
            Responses.problem(res, exchanged.claimRefused(), "reports", answered.build());
            return;
        }
        // the hottest answer: written as text, not built as a tree (a quarter of this handler's time)
        JsonText answer = new JsonText().raw("{").name("reports").raw("[");
        List<ReportJobs.Answer> answers = exchanged.answers();
        for (int i = 0; i < answers.size(); i++) {
            if (i > 0) {
                answer.comma();
            }
            answer(answer, answers.get(i));
        }
        JsonViews.claimedJobs(answer.raw("]").comma(), "jobs", exchanged.claimed());
        if (exchanged.drain()) {
            answer.comma().name("drain").bool(true);
        }
        Responses.json(res, 200, answer.raw("}"));
    }

    /** {@code "reports": [{"jobId", "leaseToken", "outcome", "result" | "error", "retryable"}]}; 400 names the item. */
    private static List<ReportJobs.Report> reports(Body body) {
        if (!body.json().containsKey("reports") || body.json().isNull("reports")) {
            return List.of();
        }
        var array = body.array("reports");
        if (array.size() > ReportJobs.MAX_REPORTS) {
            throw Problem.badRequest("at most " + ReportJobs.MAX_REPORTS + " reports go in one call, not " + array.size());
        }
        List<ReportJobs.Report> reports = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof JsonObject object)) {
                throw Problem.badRequest("reports[" + i + "] must be a JSON object");
            }
            Body item = Body.of(object);
            try {
                ReportJobs.Outcome outcome = ReportJobs.Outcome.of(item.string("outcome"));
                Boolean retryable = item.optBoolean("retryable");
                String error = item.optString("error");
                if (outcome == ReportJobs.Outcome.FAIL && error == null) {
                    throw Problem.badRequest("error is required");
                }
                reports.add(new ReportJobs.Report(item.string("jobId"), item.string("leaseToken"), outcome,
                        item.optJson("result"), error, retryable == null || retryable));
            } catch (Problem p) {
                throw p.status() == 400 ? Problem.badRequest("reports[" + i + "]." + p.detail()) : p;
            }
        }
        return reports;
    }

    /** One report's answer: {@code {"jobId", "status", "jobStatus" | "title", "detail"}}. */
    private static JsonText answer(JsonText text, ReportJobs.Answer answer) {
        text.raw("{").member("jobId", answer.jobId()).comma().name("status").number(answer.status()).comma();
        if (answer.refusal() == null) {
            text.member("jobStatus", answer.jobStatus().wire());
        } else {
            text.member("title", answer.refusal().title()).comma().member("detail", answer.refusal().detail());
        }
        return text.raw("}");
    }

    private void drain(ServerRequest req, ServerResponse res, boolean drain) {
        api.noBodyNeeded(req);
        var caller = api.caller(req);
        drainBots.set(caller, Api.id(req), drain);
        Responses.ok(res, JsonViews.bot(readBots.get(caller, Api.id(req))));
    }

    /** {@code "labels": {"zone": "a"}} as name to value; 400 when a value is not a string. */
    private static Map<String, String> labels(Body body) {
        JsonObject labels = body.optObject("labels");
        Map<String, String> map = new LinkedHashMap<>();
        if (labels != null) {
            labels.forEach((name, value) -> {
                if (!(value instanceof jakarta.json.JsonString text)) {
                    throw Problem.badRequest("labels." + Names.shown(name) + " must be a string");
                }
                map.put(name, Body.noNul("labels." + Names.shown(name), text.getString()));
            });
        }
        return map;
    }

    /** {@code {"labels": {"zone": "a"}}}: every bot carrying all of these labels. */
    private void drainMatching(ServerRequest req, ServerResponse res, boolean drain) {
        var caller = api.caller(req);
        caller.requireAdmin();
        Map<String, String> selector = labels(api.body(req));
        List<String> changed = drainBots.setMatching(caller, selector, drain);
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder().add("bots", JsonViews.strings(changed)).build());
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        api.noBodyNeeded(req);
        List<String> released = sessions.revoke(api.caller(req), Api.id(req));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("released", JsonViews.strings(released))
                .build());
    }

    private void reset(ServerRequest req, ServerResponse res) {
        api.noBodyNeeded(req);
        List<String> released = sessions.reset(api.caller(req), Api.id(req));
        Responses.ok(res, JsonViews.BUILDERS.createObjectBuilder()
                .add("released", JsonViews.strings(released))
                .build());
    }

}
