package studio.app.actions;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandardActionTest {
    @Test
    void everyKeyIsTakenOnceAndTheSheetListsEveryKeyedAction() {
        Set<String> keys = new HashSet<>();
        int keyed = 0;
        for (StandardAction a : StandardAction.values()) {
            if (a.key() == null) continue;
            keyed++;
            assertTrue(keys.add(a.key().getName()), "two actions on " + a.key().getName());
        }
        String sheet = StandardAction.shortcutSheet();
        for (StandardAction a : StandardAction.values()) {
            if (a.key() != null) assertTrue(sheet.contains(a.text().replace("…", "")), a.name());
        }
        assertEquals(keyed + 2, sheet.lines().count(), "one line per keyed action, then the drop hint");
        assertEquals(7, StandardAction.tabs().size());
    }
}
