package studio.engine.bench;

import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;

public final class ProfileMain {
    private ProfileMain() {
    }

    public static void main(String[] args) {
        var cm = LargeCase.costModel();
        for (int i = 0; i < 2; i++) {
            var r = new SearchEngine(cm, LargeCase.options(SearchMode.GALVATRON_V2)).search();
            System.out.println("[prof] " + r.elapsedMs() + " ms");
        }
    }
}
