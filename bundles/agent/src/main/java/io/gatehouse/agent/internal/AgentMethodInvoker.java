package io.gatehouse.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's direct methods ({@code {deviceId}/$edgeAgent}: see {@link AgentMethods}) as a
 * {@link MethodInvoker}, so the management API and a parent gateway's relay find them as they find
 * any connected module's. Calls run on the component's own threads: a restart waits for the
 * module to stop, and the caller must not. It holds nothing else and never waits for a target
 * ({@link #waitsForTargets()} is false): a caller whose target nobody holds passes it over.
 */
@Component(service = MethodInvoker.class, configurationPid = {EdgeAgent.PID, "io.gatehouse.hub"})
// bnd refuses @Designate on a component with two PIDs; deviceId is described by the agent's OCD.
public final class AgentMethodInvoker implements MethodInvoker {
    /** Calls run at once: a restart blocked on a module that is slow to stop leaves room for a ping. */
    private static final int THREADS = 2;
    /** Calls waiting for a thread; beyond that a call is refused with {@link #BUSY}. */
    static final int QUEUE = 32;
    static final int BUSY = 429;
    private static final long STOP_WAIT_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(AgentMethodInvoker.class);

    @ObjectClassDefinition(name = "Gatehouse agent direct methods",
            description = "Answers the direct methods of {deviceId}/$edgeAgent: ping, RestartModule, GetModuleLogs")
    public @interface Config {
        @AttributeDefinition(description = "This edge device's id (PID io.gatehouse.hub); the agent answers "
                + "{deviceId}/$edgeAgent")
        String deviceId() default "edge1";
    }

    private final IdentityId self;
    private final AgentMethods methods;
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timeouts;
    private volatile boolean active = true;

    @Activate
    public AgentMethodInvoker(@Reference(name = "agent") EdgeAgentOperations agent, Config config) {
        self = IdentityId.module(config.deviceId(), AgentMethods.MODULE_ID);
        methods = new AgentMethods(agent, new ObjectMapper());
        workers = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                daemons("gatehouse-agent-method"));
        timeouts = new ScheduledThreadPoolExecutor(1, daemons("gatehouse-agent-method-timeout"));
        timeouts.setRemoveOnCancelPolicy(true);
    }

    @Override
    public boolean holds(IdentityId target) {
        return active && self.equals(target);
    }

    @Override
    public boolean waitsForTargets() {
        return false;
    }

    @Override
    public CompletionStage<MethodResult> invoke(MethodRequest request) {
        if (!active) return CompletableFuture.failedFuture(stopping());
        if (!self.equals(request.target())) {
            return CompletableFuture.failedFuture(new MethodInvocationException(MethodInvocationException.NOT_CONNECTED,
                    request.target() + " is not connected"));
        }
        Call call = new Call(request);
        try {
            workers.execute(call);
        } catch (RejectedExecutionException e) {
            call.answer.completeExceptionally(active ? new MethodInvocationException(BUSY, "the agent has " + QUEUE
                    + " direct method calls waiting; try again later") : stopping());
            return call.answer;
        }
        call.startClock();
        return call.answer;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        active = false;
        workers.shutdown();
        List<Runnable> waiting = new ArrayList<>();
        workers.getQueue().drainTo(waiting);
        for (Runnable r : waiting) ((Call) r).answer.completeExceptionally(stopping());
        // a restart under way finishes and answers; it is not cut off half-way
        if (!workers.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            LOG.warn("Agent direct methods still running after {} ms; interrupting them", STOP_WAIT_MILLIS);
            workers.shutdownNow();
        }
        timeouts.shutdownNow();
    }

    private MethodInvocationException stopping() {
        return new MethodInvocationException(MethodInvocationException.NOT_CONNECTED, self + " is stopping");
    }

    /** One call: its answer, and the timer that answers 504 if the work takes longer than the caller waits. */
    private final class Call implements Runnable {
        final MethodRequest request;
        final CompletableFuture<MethodResult> answer = new CompletableFuture<>();

        Call(MethodRequest request) {
            this.request = request;
        }

        void startClock() {
            Duration wait = request.responseTimeout();
            try {
                ScheduledFuture<?> timer = timeouts.schedule(this::timedOut, Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
                answer.whenComplete((r, e) -> timer.cancel(false));
            } catch (RejectedExecutionException stopped) {
                // deactivated meanwhile: the call is answered by the work or by deactivate
            }
        }

        private void timedOut() {
            if (answer.completeExceptionally(new MethodInvocationException(MethodInvocationException.TIMED_OUT,
                    self + " did not answer " + request.methodName() + " within " + request.responseTimeout().toMillis()
                            + " ms"))) {
                LOG.info("{} on {} took longer than its response timeout; it goes on and its answer is dropped",
                        request.methodName(), self);
            }
        }

        @Override
        public void run() {
            try {
                answer.complete(methods.answer(request.methodName(), request.payloadJson()));
            } catch (MethodInvocationException e) {
                answer.completeExceptionally(e);
            } catch (RuntimeException e) {
                LOG.error("{} on {} failed", request.methodName(), self, e);
                answer.completeExceptionally(new MethodInvocationException(500, request.methodName() + " failed: " + e));
            }
        }
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
