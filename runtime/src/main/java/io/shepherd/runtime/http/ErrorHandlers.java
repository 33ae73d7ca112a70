package io.shepherd.runtime.http;

import io.helidon.http.RequestException;
import io.helidon.webserver.http.HttpRouting;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.db.Database;

/** Every failure leaves as problem+json: the rules' refusals as they are, a lost database as 503, the rest as 500. */
public final class ErrorHandlers {
    private static final System.Logger LOG = System.getLogger(ErrorHandlers.class.getName());

    private ErrorHandlers() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(Problem.class, (req, res, problem) -> Responses.problem(res, problem));
        routing.error(RequestException.class, (req, res, e) ->
                Responses.problem(res, e.status().code(), e.status().reasonPhrase(), e.getMessage(), 0));
        routing.error(Exception.class, (req, res, e) -> {
            Problem problem = find(e);
            if (problem != null) {
                Responses.problem(res, problem);
            } else if (Database.isUnavailable(e)) {
                LOG.log(System.Logger.Level.WARNING, "Database unreachable during " + req.prologue().method()
                        + " " + req.path().path() + ": " + e.getMessage());
                Responses.problem(res, Problem.unavailable("The database is unreachable; try again shortly", 2));
            } else {
                LOG.log(System.Logger.Level.ERROR, "Unexpected failure in " + req.prologue().method() + " "
                        + req.path().path(), e);
                Responses.problem(res, 500, "Internal Server Error",
                        "An unexpected error occurred; the correlation id identifies it in the logs", 0);
            }
        });
    }

    private static Problem find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Problem p) {
                return p;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
