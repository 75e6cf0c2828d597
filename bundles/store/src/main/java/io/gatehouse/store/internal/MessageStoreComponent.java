package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

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
                description = "Span of one queue file (a Chronicle RollCycles name, e.g. FAST_HOURLY, FAST_DAILY). "
                        + "Files wholly before a queue's checkpoint are deleted. Applies to new queues only.")
        String rollCycle() default StoreSettings.DEFAULT_ROLL_CYCLE;
    }

    private ChronicleMessageStore store;

    @Activate
    void activate(Config config) throws IOException {
        store = ChronicleMessageStore.open(new StoreSettings(Path.of(config.directory()), config.rollCycle(),
                config.syncOnAppend(), System::currentTimeMillis));
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
}
