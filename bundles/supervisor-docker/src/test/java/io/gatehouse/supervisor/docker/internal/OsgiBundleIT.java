package io.gatehouse.supervisor.docker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The packaged bundle in a real Felix, beside the bundles the gateway runs it with: every import
 * resolves, DS activates the component and registers the runtime, and its embedded docker-java works
 * from inside the bundle's class loader (against the engine when there is one).
 */
class OsgiBundleIT {

    @TempDir
    Path storage;

    @Test
    void resolvesActivatesAndRunsInFelix() throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // as the distribution's framework properties
        config.put("ds.loglevel", "warn");
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "sun.misc,sun.nio.ch,jdk.internal.misc,jdk.internal.ref");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        // inside a framework there is no useful context class loader; this test's would mislead slf4j
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(null);
        framework.start();
        try {
            BundleContext context = framework.getBundleContext();
            List<Bundle> bundles = new ArrayList<>();
            for (String jar : List.of(
                    jarOf("org.ow2.asm", org.objectweb.asm.ClassVisitor.class),
                    jarOf("asm-commons", org.objectweb.asm.commons.Remapper.class),
                    jarOf("asm-util", org.objectweb.asm.util.Printer.class),
                    jarOf("asm-tree", org.objectweb.asm.tree.ClassNode.class),
                    jarOf("asm-analysis", org.objectweb.asm.tree.analysis.Analyzer.class),
                    jarOf("spifly", "org.apache.aries.spifly.dynamic.DynamicWeavingActivator"),
                    jarOf("slf4j-api", org.slf4j.Logger.class),
                    jarOf("slf4j-simple", "org.slf4j.simple.SimpleServiceProvider"),
                    jarOf("jackson-annotations", com.fasterxml.jackson.annotation.JsonProperty.class),
                    jarOf("jackson-core", com.fasterxml.jackson.core.JsonParser.class),
                    jarOf("jackson-databind", com.fasterxml.jackson.databind.ObjectMapper.class),
                    jarOf("osgi.util.function", org.osgi.util.function.Function.class),
                    jarOf("osgi.util.promise", org.osgi.util.promise.Promise.class),
                    jarOf("osgi.service.component", org.osgi.service.component.ComponentContext.class),
                    jarOf("felix.scr", "org.apache.felix.scr.impl.Activator"),
                    jarOf("gatehouse-api", io.gatehouse.api.module.ModuleRuntime.class),
                    Path.of(System.getProperty("bundle.jar")).toUri().toString())) {
                bundles.add(context.installBundle(jar));
            }
            for (Bundle bundle : bundles) bundle.start();

            Bundle ours = bundles.get(bundles.size() - 1);
            assertThat(ours.getSymbolicName()).isEqualTo("io.gatehouse.supervisor-docker");
            assertThat(ours.getState()).isEqualTo(Bundle.ACTIVE);
            Object runtime = awaitRuntime(context);
            assertThat(call(runtime, "type")).isEqualTo("docker");

            if (dockerAnswers()) {
                // the embedded docker-java and Jackson across bundles, for real
                Class<?> specType = bundles.get(bundles.size() - 2).loadClass("io.gatehouse.api.module.ModuleSpec");
                Object spec = specType.getConstructors()[0].newInstance("gh-test-osgi", "docker", "7",
                        Map.of("GREETING", "hi"), Map.of("image", "gatehouse-test/busybox:1", "imagePullPolicy", "never",
                                "createOptions", "{\"Cmd\": [\"true\"], \"HostConfig\": {\"Memory\": 33554432}}"));
                try {
                    call(runtime, "create", spec);
                    assertThat(call(runtime, "module", "gh-test-osgi").toString()).contains("version=7");
                    assertThat(call(runtime, "modules").toString()).contains("gh-test-osgi");
                } catch (java.lang.reflect.InvocationTargetException e) {
                    // without the test image (made by DockerModuleRuntimeTest) the refusal must say why
                    assertThat(e.getCause().getMessage()).contains("gatehouse-test/busybox:1 is not on this gateway");
                } finally {
                    call(runtime, "remove", "gh-test-osgi");
                }
            }
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
            Thread.currentThread().setContextClassLoader(tccl);
        }
    }

    /** A socket file left by a dockerd that died is no engine: only one that accepts a connection counts. */
    private static boolean dockerAnswers() {
        Path socket = Path.of("/var/run/docker.sock");
        if (!Files.exists(socket)) return false;
        try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            c.connect(java.net.UnixDomainSocketAddress.of(socket));
            return true;
        } catch (java.io.IOException e) {
            System.out.println("[OsgiBundleIT] no Docker engine answers on " + socket + " (" + e.getMessage()
                    + "): the engine part is skipped");
            return false;
        }
    }

    private static Object awaitRuntime(BundleContext context) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            // all: this test sees its own copy of the api classes, not the bundles'
            ServiceReference<?>[] refs = context.getAllServiceReferences("io.gatehouse.api.module.ModuleRuntime",
                    "(gatehouse.module.type=docker)");
            if (refs != null) return context.getService(refs[0]);
            Thread.sleep(50);
        }
        throw new AssertionError("no ModuleRuntime service with gatehouse.module.type=docker within 10 s");
    }

    /** The service's classes are the bundles', not this test's: reached by reflection. */
    private static Object call(Object target, String method, Object... args) throws Exception {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) return m.invoke(target, args);
        }
        throw new AssertionError("no method " + method);
    }

    private static String jarOf(String what, Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation().toString();
    }

    private static String jarOf(String what, String className) throws ClassNotFoundException {
        return jarOf(what, Class.forName(className, false, OsgiBundleIT.class.getClassLoader()));
    }
}
