package io.gatehouse.store.internal;

/**
 * System properties Chronicle reads once, when its classes initialise. Set here, from static
 * initialisers of classes that reach Chronicle, so that they are in place before any Chronicle
 * class loads; a value the launcher or user gave wins.
 */
final class ChronicleProperties {

    /** Chronicle otherwise reports usage to an analytics service: never from a gateway. */
    static final String ANALYTICS_DISABLE = "chronicle.analytics.disable";

    /**
     * Chronicle's disk space monitor is a JVM-wide thread that outlives this bundle (keeping its
     * class loader alive across updates) and logs every poll; free space is watched elsewhere.
     */
    static final String DISK_MONITOR_DISABLE = "chronicle.disk.monitor.disable";

    /**
     * Without a background releaser Chronicle unmaps files on the thread that closes them: no
     * thread outlives the bundle, and a closed store has let go of every mapping.
     */
    static final String BACKGROUND_RELEASER = "background.releaser";

    /** Chronicle's start-up banner asks operators for an e-mail address; not in a gateway's log. */
    static final String ANNOUNCER_DISABLE = "chronicle.announcer.disable";

    private ChronicleProperties() {
    }

    static void applyDefaults() {
        setIfAbsent(ANALYTICS_DISABLE, "true");
        setIfAbsent(DISK_MONITOR_DISABLE, "true");
        setIfAbsent(BACKGROUND_RELEASER, "false");
        setIfAbsent(ANNOUNCER_DISABLE, "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
