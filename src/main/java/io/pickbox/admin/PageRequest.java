package io.pickbox.admin;

import io.javalin.http.Context;
import io.pickbox.folder.PathValidator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One page of a listing ({@code ?prefix=&after=&limit=}): entries at or under {@code prefix}
 * that sort after the path {@code after}, at most {@code limit} of them. An answer is
 * {@code {"entries": [...], "next": cursor}}, {@code next} being the {@code after} of the following
 * page, null at the end; so no request reads, holds or sends more than one page.
 *
 * @param prefix "" for everything
 * @param after  null for the first page
 */
record PageRequest(String prefix, String after, int limit) {

    /** Enough for a screen or a script's batch without a request holding much. */
    static final int DEFAULT_LIMIT = 1_000;
    /** What one answer may hold: at a few hundred bytes of JSON an entry, a few MB, read under the index's lock. */
    static final int MAX_LIMIT = 10_000;

    /** The page the query asks for; a bad value is a 400 that says which. */
    static PageRequest of(Context ctx) {
        return of(ctx.queryParam("prefix"), ctx.queryParam("after"), ctx.queryParam("limit"));
    }

    /** The page the three query values (each null when absent) ask for; a bad value is a 400 that says which. */
    static PageRequest of(String prefix, String after, String limit) {
        return new PageRequest(path(prefix), cursor(after), limit(limit));
    }

    private static String path(String raw) {
        return raw == null || raw.isEmpty() ? "" : PathValidator.normalize(raw);
    }

    private static String cursor(String raw) {
        return raw == null || raw.isEmpty() ? null : PathValidator.normalize(raw);
    }

    static int limit(String raw) {
        if (raw == null || raw.isEmpty()) return DEFAULT_LIMIT;
        int limit;
        try {
            limit = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiError(400, "bad request", "limit must be a whole number from 1 to " + MAX_LIMIT + ", got " + raw);
        }
        return limit;
    }

    /**
     * The answer for this page, from up to {@code limit + 1} entries read after the cursor: the one
     * beyond the page only tells that there is a next page.
     */
    <T> Map<String, Object> answer(List<T> readOneMore, Function<T, String> pathOf, Function<T, Object> render) {
        List<Object> entries = new ArrayList<>(Math.min(readOneMore.size(), limit));
        for (T t : readOneMore.subList(0, Math.min(limit, readOneMore.size()))) entries.add(render.apply(t));
        String next = readOneMore.size() > limit ? pathOf.apply(readOneMore.get(limit - 1)) : null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", entries);
        m.put("next", next);
        return m;
    }
}
