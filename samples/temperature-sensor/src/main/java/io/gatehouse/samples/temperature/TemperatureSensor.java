package io.gatehouse.samples.temperature;

import com.microsoft.azure.sdk.iot.device.ConnectionStatusChangeContext;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.IotHubConnectionStatusChangeReason;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.ModuleClient;
import com.microsoft.azure.sdk.iot.device.exceptions.IotHubClientException;
import com.microsoft.azure.sdk.iot.device.transport.IotHubConnectionStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A module that sends simulated machine and ambient telemetry to its output
 * {@value TelemetryMessages#OUTPUT}, through whatever edge hub its environment names. It is an
 * ordinary Azure IoT SDK program: nothing in it knows about Gatehouse.
 *
 * <p>Exit codes: 0 after {@code MESSAGE_COUNT} messages were all acknowledged; 1 when the hub could
 * not be reached, the connection was lost for good or a message was not acknowledged; 2 when the
 * environment lacks what it needs.
 */
public final class TemperatureSensor {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_BAD_ENVIRONMENT = 2;

    /** How long the last messages may take to be acknowledged before the module gives up on them. */
    private static final long ACK_WAIT_MILLIS = 60_000;
    /** How long the last messages may take to be acknowledged once a SIGTERM came. */
    private static final long AFTER_STOP_ACK_WAIT_MILLIS = 2_000;
    /** How long a SIGTERM waits for the sending loop to stop before closing the client under it. */
    private static final long STOP_WAIT_MILLIS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(TemperatureSensor.class);

    private final SensorSettings settings;
    private final ModuleClient client;
    private final SimulatedMachine machine = new SimulatedMachine(RandomGenerator.getDefault());
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch loopEnded = new CountDownLatch(1);
    private final AtomicInteger unacknowledged = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile boolean connectionGone;

    private TemperatureSensor(SensorSettings settings, ModuleClient client) {
        this.settings = settings;
        this.client = client;
    }

    public static void main(String[] args) {
        SensorSettings settings;
        try {
            settings = SensorSettings.fromEnvironment(System.getenv());
        } catch (InvalidEnvironmentException e) {
            System.err.println("temperature-sensor: " + e.getMessage());
            System.exit(EXIT_BAD_ENVIRONMENT);
            return;
        }
        ModuleClient client;
        try {
            // null: no Unix socket to the workload API is needed when EdgeHubConnectionString is set
            client = ModuleClient.createFromEnvironment(null, IotHubClientProtocol.MQTT);
        } catch (IotHubClientException | RuntimeException e) {
            System.err.println("temperature-sensor: cannot create the module client: " + reasons(e));
            System.exit(EXIT_BAD_ENVIRONMENT);
            return;
        }
        TemperatureSensor sensor = new TemperatureSensor(settings, client);
        Runtime.getRuntime().addShutdownHook(new Thread(sensor::stop, "temperature-sensor-stop"));
        System.exit(sensor.run());
    }

    private int run() {
        try {
            client.setConnectionStatusChangeCallback(this::connectionChanged, null);
            // One attempt: the SDK would retry a refused token for its whole operation timeout (4 min)
            // without a word, as IoT Hub's "not authorized" may be transient. The module's restart
            // policy retries instead, and the reason is in the log at once.
            client.open(false);
        } catch (IotHubClientException | RuntimeException e) {
            System.err.println("temperature-sensor: cannot connect to the edge hub: " + reasons(e));
            client.close();
            loopEnded.countDown();
            return EXIT_FAILED;
        }
        LOG.info("sending to output {} every {} ms, {}", TelemetryMessages.OUTPUT, settings.sendInterval().toMillis(),
                settings.limited() ? settings.messageCount() + " messages" : "until stopped");
        try {
            sendUntilDoneOrStopped();
            boolean allAcknowledged = awaitAcknowledgements();
            return allAcknowledged && !connectionGone ? EXIT_OK : EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_FAILED;
        } finally {
            // closed before the shutdown hook is released: the JVM halts once the hook returns
            client.close();
            loopEnded.countDown();
        }
    }

    /**
     * After a connection loss the SDK reconnects on its own for up to its operation timeout; when
     * it gives up, the module ends with a failure so that its restart policy starts it afresh.
     */
    private void connectionChanged(ConnectionStatusChangeContext change) {
        LOG.info("connection {} ({})", change.getNewStatus(), change.getNewStatusReason());
        if (change.getNewStatus() == IotHubConnectionStatus.DISCONNECTED
                && change.getNewStatusReason() != IotHubConnectionStatusChangeReason.CLIENT_CLOSE) {
            connectionGone = true;
            System.err.println("temperature-sensor: connection to the edge hub lost for good ("
                    + change.getNewStatusReason() + (change.getCause() == null ? "" : ": " + reasons(change.getCause()))
                    + ")");
            stopRequested.countDown();
        }
    }

    private void sendUntilDoneOrStopped() throws InterruptedException {
        for (long sequence = 1; !settings.limited() || sequence <= settings.messageCount(); sequence++) {
            if (stopRequested.getCount() == 0) return;
            Message message = TelemetryMessages.message(machine.next(Instant.now()));
            unacknowledged.incrementAndGet();
            long seq = sequence;
            try {
                client.sendEventAsync(message, (sent, error, context) -> acknowledged(seq, error), null,
                        TelemetryMessages.OUTPUT);
            } catch (IllegalStateException e) {
                // the client is closed: SIGTERM, or the SDK gave up reconnecting
                unacknowledged.decrementAndGet();
                return;
            }
            LOG.info("sent #{} {}", seq, new String(message.getBytes(), StandardCharsets.UTF_8));
            if (settings.limited() && sequence == settings.messageCount()) return;
            if (stopRequested.await(settings.sendInterval().toMillis(), TimeUnit.MILLISECONDS)) return;
        }
    }

    private void acknowledged(long sequence, IotHubClientException error) {
        if (error == null) {
            LOG.info("acknowledged #{}", sequence);
        } else {
            failed.incrementAndGet();
            String code = String.valueOf(error.getStatusCode());
            String message = error.getMessage();
            LOG.warn("not acknowledged #{}: {}", sequence,
                    message == null || message.contains(code) ? code : message + " (" + code + ")");
        }
        unacknowledged.decrementAndGet();
    }

    /**
     * True when every message sent was acknowledged. After a SIGTERM the last messages get a short
     * moment for their acknowledgement, so the log says which of them the hub took.
     */
    private boolean awaitAcknowledgements() throws InterruptedException {
        long start = System.nanoTime();
        while (unacknowledged.get() > 0 && !connectionGone) {
            long waited = System.nanoTime() - start;
            long limit = stopRequested.getCount() == 0 ? AFTER_STOP_ACK_WAIT_MILLIS : ACK_WAIT_MILLIS;
            if (waited >= TimeUnit.MILLISECONDS.toNanos(limit)) break;
            Thread.sleep(20);
        }
        if (unacknowledged.get() > 0) {
            LOG.warn("{} message(s) not acknowledged", unacknowledged.get());
            return false;
        }
        return failed.get() == 0;
    }

    /** SIGTERM (and any System.exit): stop sending, then close the connection cleanly. */
    private void stop() {
        if (loopEnded.getCount() > 0) LOG.info("stopping");
        stopRequested.countDown();
        try {
            if (!loopEnded.await(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) client.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The messages of an exception and its causes: the SDK's own says "see inner exception". */
    static String reasons(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (out.indexOf(message) >= 0) continue;
            if (out.length() > 0) out.append(": ");
            out.append(message);
        }
        return out.toString();
    }
}
