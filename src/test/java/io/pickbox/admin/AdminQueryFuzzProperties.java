package io.pickbox.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import io.pickbox.fuzz.FuzzTries;
import io.pickbox.fuzz.Mutations;
import io.pickbox.fuzz.Outcomes;

import java.time.Duration;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of the query values the admin API parses itself (a listing's {@code prefix}, {@code after}
 * and {@code limit}, readiness's {@code wait}): each is a value within its bounds, or a 400 that
 * says which value is wrong, never another exception (which the server would answer 500).
 */
@AddLifecycleHook(FuzzTries.class)
class AdminQueryFuzzProperties {

    @Provide
    Arbitrary<String> pathValues() {
        return Mutations.ofText(Arbitraries.of("docs", "docs/a.txt", "é/ü", "")).injectNull(0.1);
    }

    @Provide
    Arbitrary<String> limits() {
        return Mutations.ofText(Arbitraries.of("1", "1000", "10000", " 20 ", "")).injectNull(0.1);
    }

    @Provide
    Arbitrary<String> waits() {
        return Mutations.ofText(Arbitraries.of("500ms", "5s", "1m", "5m", "0", " 2s "));
    }

    @Property(tries = 3000)
    void aListingQueryIsAPageOrA400(@ForAll("pathValues") String prefix, @ForAll("pathValues") String after,
                                    @ForAll("limits") String limit) {
        PageRequest[] page = new PageRequest[1];
        Throwable t = catchThrowable(() -> page[0] = PageRequest.of(prefix, after, limit));
        Outcomes.count(t);
        if (t == null) {
            assertThat(page[0].limit()).isBetween(1, PageRequest.MAX_LIMIT);
            if (!page[0].prefix().isEmpty()) assertThat(PathValidator.normalize(page[0].prefix())).isEqualTo(page[0].prefix());
            if (page[0].after() != null) assertThat(PathValidator.normalize(page[0].after())).isEqualTo(page[0].after());
        } else {
            answeredAs400(t);
        }
    }

    @Property(tries = 2000)
    void aWaitIsADurationUpToFiveMinutesOrA400(@ForAll("waits") String wait) {
        Duration[] d = new Duration[1];
        Throwable t = catchThrowable(() -> d[0] = StatusRoutes.parseDuration(wait));
        Outcomes.count(t);
        if (t == null) assertThat(d[0]).isBetween(Duration.ZERO, Duration.ofMinutes(5));
        else answeredAs400(t);
    }

    /** The exceptions the admin server answers 400, with a message. */
    private static void answeredAs400(Throwable t) {
        assertThat(t).isInstanceOfAny(ApiError.class, InvalidPathException.class);
        if (t instanceof ApiError e) assertThat(e.status).isEqualTo(400);
        assertThat(t.getMessage()).isNotBlank();
    }
}
