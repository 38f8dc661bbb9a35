package io.edgecl.cl;

import java.util.List;

/**
 * The OpenCL library itself could not be opened (as opposed to a library that opens and lists
 * no platform): names what was tried, how to point EdgeCL at a library, and how to install one.
 */
public final class OpenClLibraryException extends NoOpenClException {
    private final String binding;

    OpenClLibraryException(String binding, String message, Throwable cause) {
        super(message, cause, true);
        this.binding = binding;
    }

    /** The search found nothing that opens. */
    static OpenClLibraryException searchFailed(
            String binding, List<String> tried, String searched, boolean userChoice) {
        StringBuilder sb = new StringBuilder("no OpenCL library could be opened (" + binding + ": ");
        if (tried.isEmpty()) {
            sb.append("none found; searched ").append(searched);
        } else {
            sb.append("tried ").append(String.join("; ", tried));
        }
        sb.append("); ");
        if (userChoice) {
            sb.append("check ").append(OpenClLibrary.ENV).append(", or unset it to search the usual places; ");
        } else {
            sb.append("set ").append(OpenClLibrary.ENV).append("=PATH if the library is elsewhere, or ");
        }
        return new OpenClLibraryException(binding, sb.append(INSTALL_HINT).toString(), null);
    }

    /** A binding's own failure to start (e.g. no JNI library for this CPU), with its reason. */
    static OpenClLibraryException startFailed(String binding, String why, Throwable cause) {
        return new OpenClLibraryException(binding, binding + " could not start (" + why + "); " + INSTALL_HINT, cause);
    }

    /** The binding that could not open the library ("jocl" or "lwjgl"). */
    public String binding() {
        return binding;
    }
}
