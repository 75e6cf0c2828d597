package io.gatehouse.router.internal;

import java.lang.annotation.Annotation;
import java.nio.file.Path;

/** Router configurations as ConfigAdmin would hand them to the component. */
final class RouterConfigs {
    private RouterConfigs() {
    }

    static EdgeHubRouter.Config config(Path stateDirectory, String deviceId, String fallbackRoute) {
        return new EdgeHubRouter.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return EdgeHubRouter.Config.class;
            }

            @Override
            public String stateDirectory() {
                return stateDirectory.toString();
            }

            @Override
            public String deviceId() {
                return deviceId;
            }

            @Override
            public String fallbackRoute() {
                return fallbackRoute;
            }
        };
    }
}
