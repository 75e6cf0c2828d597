package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageStore} service. A configuration change reopens the store (no modified
 * method), which closes every queue cleanly first: nothing appended is lost across it, nor across
 * an update of this bundle.
 */
@Component(service = MessageStore.class, configurationPid = "io.gatehouse.store")
@Designate(ocd = MessageStoreComponent.Config.class)
public class MessageStoreComponent implements MessageStore {

    static {
        // Before SCR lets anything reach Chronicle: this class names no Chronicle type.
        ChronicleProperties.applyDefaults();
    }

    @ObjectClassDefinition(name = "Gatehouse message store",
            description = "Durable store-and-forward: one Chronicle queue per endpoint and priority.")
    public @interface Config {
        @AttributeDefinition(name = "Directory",
                description = "Where queues and checkpoints live; relative paths resolve against the working directory.")
        String directory() default "data/store";

        @AttributeDefinition(name = "Sync on append",
                description = "Force every append to the disk before it returns (fsync), so acknowledged messages "
                        + "survive power loss, not only a crash of the process. Costs a disk flush per message.")
        boolean syncOnAppend() default false;

        @AttributeDefinition(name = "Roll cycle",
                description = "Span of one queue file (a Chronicle RollCycles name, e.g. FIVE_MINUTELY, FAST_HOURLY). "
                        + "Files wholly before a queue's checkpoint are deleted, so a drained queue gives its "
                        + "space back within one cycle. Applies to new queues only.")
        String rollCycle() default StoreSettings.DEFAULT_ROLL_CYCLE;

        @AttributeDefinition(name = "Maximum size (bytes)",
                description = "Quota for all queue files together. 0 = 25% of the usable space of the store's file "
                        + "system at activation, at least 64 MiB and at most 16 GiB.")
        long maxSizeBytes() default 0;

        @AttributeDefinition(name = "Quota policy",
                description = "When the quota is reached: reject-new (appends fail, publishers are not acknowledged "
                        + "and send again later) or drop-oldest (the oldest queue files are dropped undelivered).")
        String quotaPolicy() default "reject-new";
    }

    private static final Logger LOG = LoggerFactory.getLogger(MessageStoreComponent.class);

    private ChronicleMessageStore store;

    @Activate
    void activate(Config config) throws IOException {
        Path directory = Path.of(config.directory());
        store = ChronicleMessageStore.open(new StoreSettings(directory, config.rollCycle(), config.syncOnAppend(),
                System::currentTimeMillis, maxSizeBytes(config, directory), quotaPolicy(config.quotaPolicy())));
    }

    private static long maxSizeBytes(Config config, Path directory) throws IOException {
        if (config.maxSizeBytes() > 0) return config.maxSizeBytes();
        if (config.maxSizeBytes() < 0) {
            LOG.warn("maxSizeBytes {} is negative; using the default share of the disk", config.maxSizeBytes());
        }
        Files.createDirectories(directory);
        return StoreQuota.defaultMaxBytes(directory);
    }

    static QuotaPolicy quotaPolicy(String value) {
        QuotaPolicy policy = QuotaPolicy.parse(value);
        if (policy != null) return policy;
        LOG.warn("Unknown quotaPolicy '{}'; using {}", value, QuotaPolicy.DEFAULT.configName());
        return QuotaPolicy.DEFAULT;
    }

    @Deactivate
    void deactivate() {
        store.close();
    }

    @Override
    public void append(Message message, List<RouteTarget> targets) throws StoreException {
        store.append(message, targets);
    }

    @Override
    public QueueConsumer consume(String endpointIdOrPrefix) {
        return store.consume(endpointIdOrPrefix);
    }

    @Override
    public List<QueueStatus> queues() {
        return store.queues();
    }

    @Override
    public List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
        return store.deadLetters(endpointId, afterSequence, max);
    }

    @Override
    public long purgeDeadLetters(String endpointId) throws StoreException {
        return store.purgeDeadLetters(endpointId);
    }

    @Override
    public long requeueDeadLetters(String endpointId) throws StoreException {
        return store.requeueDeadLetters(endpointId);
    }
}
