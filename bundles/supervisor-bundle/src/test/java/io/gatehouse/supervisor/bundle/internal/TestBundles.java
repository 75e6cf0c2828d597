package io.gatehouse.supervisor.bundle.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Tiny bundles written at test time: a manifest, and optionally an activator and a resource. */
final class TestBundles {

    private final Map<String, String> headers = new LinkedHashMap<>();
    private Class<?> activator;
    private String content;

    private TestBundles() {
    }

    static TestBundles bundle(String symbolicName, String version) {
        TestBundles b = new TestBundles();
        b.headers.put("Bundle-ManifestVersion", "2");
        b.headers.put("Bundle-SymbolicName", symbolicName);
        b.headers.put("Bundle-Version", version);
        return b;
    }

    /** A jar with a manifest that is not a bundle's. */
    static TestBundles plainJar() {
        return new TestBundles();
    }

    TestBundles header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    TestBundles activator(Class<?> type) {
        activator = type;
        headers.put("Bundle-Activator", type.getName());
        headers.merge("Import-Package", "org.osgi.framework", (a, b) -> a + "," + b);
        return this;
    }

    /** A resource the {@code ContentActivator} publishes, to tell revisions apart. */
    TestBundles content(String text) {
        content = text;
        return this;
    }

    Path writeTo(Path file) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> manifest.getMainAttributes().putValue(k, v));
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            if (activator != null) {
                String entry = activator.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(entry));
                try (InputStream in = activator.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
            if (content != null) {
                jar.putNextEntry(new JarEntry("content.txt"));
                jar.write(content.getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return file;
    }
}
