package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleRuntimeException;
import java.io.IOException;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/**
 * Who a jar says it is, read before the framework sees it, so that a file that is no bundle is
 * refused with a plain reason and nothing installed.
 */
record BundleIdentity(String symbolicName, Version version) {

    static BundleIdentity of(BundleSource source) throws ModuleRuntimeException {
        String what = "'" + source.shown() + "'";
        Manifest manifest;
        // no signature check: the framework does that if it is configured to
        try (JarFile jar = new JarFile(source.file().toFile(), false)) {
            manifest = jar.getManifest();
        } catch (IOException e) {
            throw new ModuleRuntimeException(what + " is not a jar file (" + e.getMessage() + ")");
        }
        if (manifest == null) {
            throw new ModuleRuntimeException(what + " has no META-INF/MANIFEST.MF, so it is not an OSGi bundle");
        }
        Attributes main = manifest.getMainAttributes();
        String name = main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (name == null || name.isBlank() || name.split(";", 2)[0].isBlank()) {
            throw new ModuleRuntimeException(what + " has no Bundle-SymbolicName in its manifest, so it is not an"
                    + " OSGi bundle");
        }
        if (main.getValue(Constants.FRAGMENT_HOST) != null) {
            throw new ModuleRuntimeException(what + " is a fragment (Fragment-Host), which cannot be started; a bundle"
                    + " module must be a bundle of its own");
        }
        String versionText = main.getValue(Constants.BUNDLE_VERSION);
        Version version;
        try {
            version = versionText == null ? Version.emptyVersion : Version.parseVersion(versionText.trim());
        } catch (IllegalArgumentException e) {
            throw new ModuleRuntimeException(what + " has Bundle-Version '" + versionText + "', which is not an OSGi"
                    + " version (major.minor.micro.qualifier)");
        }
        return new BundleIdentity(name.split(";", 2)[0].trim(), version);
    }

    @Override
    public String toString() {
        return symbolicName + " " + version;
    }
}
