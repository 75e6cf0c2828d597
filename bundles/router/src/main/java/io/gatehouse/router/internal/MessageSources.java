package io.gatehouse.router.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;

/** The source path of a message, from the system properties the hub stamped on it. */
public final class MessageSources {
    public static final String TWIN_CHANGE_NOTIFICATIONS = "/twinChangeNotifications";
    public static final String TELEMETRY = "/messages";
    static final String TWIN_CHANGE_NOTIFICATION_TYPE = "twinChangeNotification";

    private MessageSources() {
    }

    public static boolean isTwinChangeNotification(Message message) {
        return TWIN_CHANGE_NOTIFICATION_TYPE.equals(message.systemProperty(SystemProperties.MESSAGE_TYPE));
    }

    public static String of(Message message) {
        if (isTwinChangeNotification(message)) return TWIN_CHANGE_NOTIFICATIONS;
        String module = message.systemProperty(SystemProperties.CONNECTION_MODULE_ID);
        if (module == null || module.isEmpty()) return TELEMETRY;
        String output = message.systemProperty(SystemProperties.OUTPUT_NAME);
        return output == null || output.isEmpty()
                ? "/messages/modules/" + module
                : "/messages/modules/" + module + "/outputs/" + output;
    }
}
