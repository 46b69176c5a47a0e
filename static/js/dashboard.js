/* Charts of the indicator dashboard (ECharts 5, vendored).
 *
 * Everything comes from the JSON in <script id="chart-data" type="application/json">,
 * written by the server with json_script: trend points, per-township values, labels in
 * the page's language, and the township GeoJSON (or null, then a scatter of positions).
 */
(function () {
  "use strict";

  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var PRIMARY = "#1f5d8c";
  var MET = "#17743a";
  var UNMET = "#b02a37";

  function format(code, value) {
    if (value === null || value === undefined || (typeof value === "number" && isNaN(value))) {
      return data.text.no_data;
    }
    if (data.percent[code]) {
      return value.toFixed(1) + "%";
    }
    return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  }

  function go(params) {
    if (params && params.data && params.data.url) {
      window.location.href = params.data.url;
    }
  }

  /* A small trend line per card: previous year-ends and the as-of date. */
  document.querySelectorAll("[data-trend-code]").forEach(function (element) {
    var code = element.getAttribute("data-trend-code");
    var trend = data.trend.codes[code];
    if (!trend) {
      return;
    }
    var known = trend.values.filter(function (v) { return v !== null; });
    if (trend.target !== null) {
      known.push(trend.target);
    }
    var low = known.length ? Math.min.apply(null, known) : 0;
    var high = known.length ? Math.max.apply(null, known) : 1;
    var pad = (high - low) * 0.15 || Math.abs(high) * 0.1 || 1;
    var series = {
      type: "line",
      data: trend.values,
      connectNulls: true,
      symbolSize: 6,
      lineStyle: { width: 2, color: PRIMARY },
      itemStyle: { color: PRIMARY }
    };
    if (trend.target !== null) {
      series.markLine = {
        silent: true,
        symbol: "none",
        label: { show: false },
        lineStyle: { type: "dashed", color: UNMET, width: 1 },
        data: [{ yAxis: trend.target }]
      };
    }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      grid: { left: 2, right: 2, top: 6, bottom: 6 },
      tooltip: {
        trigger: "axis",
        confine: true,
        valueFormatter: function (value) { return format(code, value); }
      },
      xAxis: { type: "category", data: data.trend.dates, show: false, boundaryGap: false },
      yAxis: { type: "value", show: false, min: low - pad, max: high + pad },
      series: [series]
    });
    charts.push(chart);
  });

  /* Slots per 1,000 children under 3, by township, with the target line. */
  var barElement = document.getElementById("slots-chart");
  if (barElement) {
    var code = "slots_per_1000";
    var target = data.targets[code];
    var bars = data.townships.map(function (township) {
      var met = township.met[code];
      return {
        value: township.values[code],
        url: township.url,
        itemStyle: met === false
          ? { color: UNMET, decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -0.8 } }
          : { color: met ? MET : "#adb5bd" }
      };
    });
    var barChart = echarts.init(barElement);
    barChart.setOption({
      aria: { enabled: true },
      grid: { left: 48, right: 24, top: 30, bottom: 80 },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: function (value) { return format(code, value); }
      },
      xAxis: {
        type: "category",
        data: data.townships.map(function (t) { return t.name; }),
        axisLabel: { rotate: 45, interval: 0, fontSize: 11 }
      },
      yAxis: { type: "value", name: data.labels[code], nameTextStyle: { align: "left" } },
      series: [{
        type: "bar",
        name: data.labels[code],
        data: bars,
        barMaxWidth: 28,
        markLine: target === null ? undefined : {
          symbol: "none",
          lineStyle: { type: "dashed", color: UNMET, width: 2 },
          label: { formatter: data.text.target + " " + format(code, target), position: "insideEndTop" },
          data: [{ yAxis: target }]
        }
      }]
    });
    barChart.on("click", go);
    charts.push(barChart);
  }

  /* The township map, coloured by the chosen indicator. */
  var mapElement = document.getElementById("township-map");
  var select = document.getElementById("map-indicator");
  if (mapElement) {
    var mapChart = echarts.init(mapElement);
    if (data.geojson) {
      echarts.registerMap("linhai-townships", data.geojson);
    }
    var draw = function (code) {
      var values = data.townships.map(function (t) { return t.values[code]; })
        .filter(function (v) { return v !== null; });
      var low = values.length ? Math.min.apply(null, values) : 0;
      var high = values.length ? Math.max.apply(null, values) : 1;
      if (high === low) {
        high = low + 1;
      }
      var visualMap = {
        min: low,
        max: high,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 4,
        itemHeight: 160,
        inRange: { color: ["#eef4fa", "#74a9cf", "#08457e"] }
      };
      var tooltip = {
        trigger: "item",
        formatter: function (params) {
          var raw = params.data ? params.data.raw : null;
          return params.name + "<br>" + data.labels[code] + ": " + format(code, raw);
        }
      };
      var option;
      if (data.geojson) {
        option = {
          aria: { enabled: true },
          tooltip: tooltip,
          visualMap: visualMap,
          series: [{
            type: "map",
            map: "linhai-townships",
            roam: true,
            // Fit the shapes inside the box whatever its proportions (phone or desktop).
            layoutCenter: ["50%", "44%"],
            layoutSize: "84%",
            label: { show: true, fontSize: 10, color: "#222" },
            itemStyle: { areaColor: "#e9ecef", borderColor: "#fff" },
            emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffd666" } },
            data: data.townships.map(function (t) {
              var v = t.values[code];
              return { name: t.name, value: v === null ? NaN : v, raw: v, url: t.url };
            })
          }]
        };
      } else {
        visualMap.dimension = 2;
        option = {
          aria: { enabled: true },
          tooltip: tooltip,
          visualMap: visualMap,
          grid: { left: 56, right: 24, top: 20, bottom: 70 },
          xAxis: { type: "value", scale: true, name: data.text.longitude },
          yAxis: { type: "value", scale: true, name: data.text.latitude },
          series: [{
            type: "scatter",
            symbolSize: 22,
            label: { show: true, position: "right", formatter: function (p) { return p.name; }, fontSize: 10 },
            data: data.townships.filter(function (t) { return t.lon !== null && t.lat !== null; })
              .map(function (t) {
                var v = t.values[code];
                return { name: t.name, value: [t.lon, t.lat, v === null ? NaN : v], raw: v, url: t.url };
              })
          }]
        };
      }
      mapChart.setOption(option, true);
    };
    mapChart.on("click", go);
    draw(select ? select.value : "slots_per_1000");
    if (select) {
      select.addEventListener("change", function () { draw(select.value); });
    }
    charts.push(mapChart);
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
