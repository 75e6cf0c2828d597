@Export
@Version("1.1.0")
package io.gatehouse.api.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
