package io.shepherd.bot;

import jakarta.json.JsonObject;

/** An answer from the runtime that was not a server failure (2xx, 3xx or 4xx). */
record ApiResponse(int status, String body) {
    boolean ok() {
        return status >= 200 && status < 300;
    }

    JsonObject json() {
        return RuntimeApi.parse(body);
    }

    /** The problem's detail, or the raw body. */
    String detail() {
        try {
            return json().getString("detail", body);
        } catch (RuntimeException e) {
            return body;
        }
    }
}
