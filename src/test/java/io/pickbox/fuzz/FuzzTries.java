package io.pickbox.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The lifecycle of a fuzz property ({@code @AddLifecycleHook(FuzzTries.class)} on its class): each
 * property keeps its own small number of tries so the build stays fast, unless
 * {@code -Dfuzz.tries=N} asks for more; and every try runs under a deadline
 * ({@code -Dfuzz.timeout.ms}, 10 s by default), so a parser that loops or blocks fails the
 * property with the stack of where it hung instead of hanging the build.
 */
public final class FuzzTries implements AroundPropertyHook, AroundTryHook {

    /** Tries stuck past their deadline keep their thread; daemon threads never keep the JVM alive. */
    private static final ExecutorService RUNNER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-try");
        t.setDaemon(true);
        return t;
    });

    /** Outcomes counted in a try, kept for the jqwik thread: statistics may be collected only there. */
    private static final ThreadLocal<List<String>> OUTCOMES = new ThreadLocal<>();

    /** Added to a class, the hook applies to its properties. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    /** Counts {@code outcome} in the statistics of the running property. */
    static void count(String outcome) {
        List<String> outcomes = OUTCOMES.get();
        if (outcomes != null) outcomes.add(outcome);
        else Statistics.collect(outcome);
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        Integer tries = Integer.getInteger("fuzz.tries");
        if (tries != null) context.attributes().setTries(tries);
        return property.execute();
    }

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) throws Throwable {
        long timeoutMillis = Long.getLong("fuzz.timeout.ms", 10_000);
        AtomicReference<Thread> runner = new AtomicReference<>();
        List<String> outcomes = new CopyOnWriteArrayList<>();
        Future<TryExecutionResult> result = RUNNER.submit(() -> {
            runner.set(Thread.currentThread());
            OUTCOMES.set(outcomes);
            try {
                return aTry.execute(parameters);
            } finally {
                OUTCOMES.remove();
            }
        });
        try {
            TryExecutionResult done = result.get(timeoutMillis, TimeUnit.MILLISECONDS);
            outcomes.forEach(Statistics::collect);
            return done;
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            result.cancel(true);
            return TryExecutionResult.falsified(new AssertionError("a try took longer than " + timeoutMillis + " ms; it was at:\n"
                    + stack(runner.get())));
        }
    }

    private static String stack(Thread thread) {
        if (thread == null) return "(not started)";
        return Arrays.stream(thread.getStackTrace()).map(f -> "    at " + f).collect(Collectors.joining("\n"));
    }
}
