@Export
@Version("1.0.0")
package io.gatehouse.api.message;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
