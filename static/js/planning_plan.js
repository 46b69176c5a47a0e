/* The plan map (ECharts 5, vendored): actions as circles sized by the slots they add, on
 * the townships' outlines (approximate unless surveyed ones were imported), each township
 * green when every target is met after the plan, red when some still falls short.
 * Without outlines, township centres are squares on plain longitude/latitude axes.
 * Data come from <script id="plan-map-data" type="application/json"> (json_script).
 * No map tiles are loaded. */
(function () {
  "use strict";
  var source = document.getElementById("plan-map-data");
  var element = document.getElementById("plan-map");
  if (!source || !element || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var MET = "#d7eedc";
  var UNMET = "#f6d5d9";
  var COLORS = {
    kindergarten_class: "#1f5d8c",
    expand: "#6f42c1",
    site_class: "#d97706",
    open_site: "#d97706",
    designate: "#17743a"
  };
  var onMap = data.geojson ? { coordinateSystem: "geo" } : {};
  var series = Object.keys(data.kinds).map(function (kind) {
    return Object.assign({
      name: data.kinds[kind],
      type: "scatter",
      data: data.points.filter(function (p) { return p.kind === kind; }),
      symbolSize: function (value) { return Math.max(8, Math.sqrt(value[2] || 1) * 3); },
      itemStyle: { color: COLORS[kind] || "#555", opacity: 0.85, borderColor: "#fff", borderWidth: 1 },
      z: 3
    }, onMap);
  });
  var option = {
    tooltip: {
      formatter: function (p) {
        var text = p.name;
        if (p.data && p.data.value && p.data.value.length > 2) {
          text += "<br>" + data.text.slots + ": " + p.data.value[2];
          if (p.data.cost !== undefined) {
            text += "<br>" + data.text.cost + ": " + Math.round(p.data.cost).toLocaleString("en-US");
          }
        }
        return text;
      }
    },
    legend: { type: "scroll", bottom: 0 },
    series: series
  };
  if (data.geojson) {
    echarts.registerMap("plan-townships", data.geojson);
    option.geo = {
      map: "plan-townships",
      roam: true,
      top: 10,
      bottom: 40,
      label: { show: true, fontSize: 10, color: "#495057" },
      itemStyle: { areaColor: "#f1f3f5", borderColor: "#adb5bd" },
      emphasis: { disabled: true },
      regions: data.townships.map(function (t) {
        return { name: t.name, itemStyle: { areaColor: t.met ? MET : UNMET } };
      })
    };
  } else {
    option.grid = { left: 40, right: 20, top: 10, bottom: 50 };
    option.xAxis = { type: "value", scale: true, name: "E", axisLabel: { fontSize: 10 } };
    option.yAxis = { type: "value", scale: true, name: "N", axisLabel: { fontSize: 10 } };
    series.push({
      name: data.text.met + " / " + data.text.unmet,
      type: "scatter",
      symbol: "rect",
      symbolSize: 10,
      data: data.townships.map(function (t) {
        return { name: t.name, value: t.value, itemStyle: { color: t.met ? "#17743a" : "#b02a37" } };
      }),
      label: { show: true, position: "right", formatter: "{b}", fontSize: 10 }
    });
  }
  var chart = echarts.init(element);
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
})();
