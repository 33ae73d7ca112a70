package io.shepherd.runtime.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.core.Problem;

/**
 * {@code /console}: the operations console, static files from the jar ({@code console/} on the
 * class path). The files hold no secrets and need no token; every figure they show is read by the
 * browser from the API with the token the person signed in with (kept in the tab's
 * {@code sessionStorage}, sent as a bearer header: no cookie, so no request forgery to defend
 * against). Every answer carries a strict Content-Security-Policy: scripts, styles and API calls
 * only from this origin, nothing inline, no framing. Links inside the console are relative, so it
 * works the same behind a proxy that serves the runtime under a path prefix.
 */
public final class ConsoleHttpService implements HttpService {
    public static final String PATH = "/console";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";
    private static final Pattern FILE = Pattern.compile("[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*\\.(html|css|js|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");

    /** A file as served: its bytes, gzipped too, and its entity tag. */
    private record Asset(String type, byte[] plain, byte[] gzipped, String etag) {
    }

    /** The files served so far; only files that exist, so names asked at random fill nothing. */
    private final Map<String, Asset> assets = new ConcurrentHashMap<>();

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::serve)
                .get("/{+path}", this::serve)
                .any(Api.allow("GET"));
    }

    private void serve(ServerRequest req, ServerResponse res) {
        String path = req.path().absolute().path();
        String rest = path.length() <= PATH.length() ? "" : path.substring(PATH.length() + 1);
        if (path.equals(PATH)) {
            // relative, so a proxy's path prefix is kept
            res.status(Status.MOVED_PERMANENTLY_301).header(HeaderNames.LOCATION, "console/");
            secure(res);
            res.send();
            return;
        }
        String name = rest.isEmpty() ? "index.html" : rest;
        // a file not found is no entry (computeIfAbsent stores no null): names asked at random fill nothing
        Asset asset = FILE.matcher(name).matches() ? assets.computeIfAbsent(name, n -> load(n).orElse(null)) : null;
        if (asset == null) {
            throw Problem.notFound("No such console file: " + name);
        }
        secure(res);
        res.header(HeaderNames.CONTENT_TYPE, asset.type());
        res.header(HeaderNames.ETAG, asset.etag());
        res.header(HeaderNames.CACHE_CONTROL, "no-cache"); // revalidated each time: a new runtime's console at once
        res.header(HeaderNames.VARY, "Accept-Encoding");
        if (req.headers().value(HeaderNames.IF_NONE_MATCH).map(asset.etag()::equals).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        boolean gzip = req.headers().value(HeaderNames.ACCEPT_ENCODING).map(v -> v.contains("gzip")).orElse(false);
        if (gzip) {
            res.header(HeaderNames.CONTENT_ENCODING, "gzip");
            res.send(asset.gzipped());
        } else {
            res.send(asset.plain());
        }
    }

    private static void secure(ServerResponse res) {
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
        res.header(HeaderNames.create("Cross-Origin-Opener-Policy"), "same-origin");
    }

    private static Optional<Asset> load(String name) {
        try (InputStream in = ConsoleHttpService.class.getClassLoader().getResourceAsStream("console/" + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] plain = in.readAllBytes();
            ByteArrayOutputStream zipped = new ByteArrayOutputStream(plain.length / 3 + 64);
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                gzip.write(plain);
            }
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain), 0, 12)
                    + "\"";
            return Optional.of(new Asset(TYPES.get(name.substring(name.lastIndexOf('.') + 1)), plain,
                    zipped.toByteArray(), etag));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
