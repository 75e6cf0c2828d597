package io.gatehouse.supervisor.process.internal;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a process's merged output into its log until the pipe closes. It keeps reading when the
 * log cannot be written (disk full): a module blocked on a full pipe would stall for no reason.
 */
final class OutputPump implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);

    private final String module;
    private final InputStream output;
    private final ModuleLog log;

    OutputPump(String module, InputStream output, ModuleLog log) {
        this.module = module;
        this.output = output;
        this.log = log;
    }

    Thread start() {
        Thread thread = new Thread(this, "gatehouse-process-output-" + module);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        boolean warned = false;
        try (InputStream in = output) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                try {
                    log.write(buffer, 0, n);
                    if (in.available() == 0) log.flush();
                } catch (IOException e) {
                    if (!warned) {
                        LOG.warn("Module {}: output cannot be written to {}, dropping it: {}", module,
                                log.directory(), e.toString());
                        warned = true;
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("Module {}: output pipe closed: {}", module, e.toString());
        }
        try {
            log.flush();
        } catch (IOException ignored) {
            // already reported above, if it matters
        }
    }
}
