package io.gatehouse.api.module;

/** No module of that name is deployed. */
public class NoSuchModuleException extends ModuleRuntimeException {
    private static final long serialVersionUID = 1L;

    public NoSuchModuleException(String name) {
        super("no module '" + name + "' is deployed");
    }
}
